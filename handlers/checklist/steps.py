"""What the checklist's use cases return: steps, results, refusals (plain data, no Telegram)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from knowledge import (
    PROFILE_FIELDS,
    AskProfile,
    AskQuestion,
    AskQuestionSet,
    Comparison,
    KnowledgeBase,
    Locale,
    Notice,
    View,
)
from knowledge.advisor import AdviceReport
from knowledge.assessment import Readiness
from knowledge.recheck import SubFactorBeforeAfter

__all__ = [
    "Cancelled",
    "ChecklistObserver",
    "RecheckOffer",
    "RecheckStep",
    "RefinementProgress",
    "Refusal",
    "Results",
    "Step",
    "position_of",
]


class Cancelled(StrEnum):
    """What /cancel stopped."""

    ASSESSMENT = "assessment"
    REFINEMENT = "refinement"


class Refusal(StrEnum):
    """Why a button press was not applied."""

    NOT_YOURS = "not_yours"
    CLOSED = "closed"
    NO_ACTIVE = "no_active"
    INVALID = "invalid"
    # A refine button under results that are no longer the latest, or while another is open.
    OUTDATED = "outdated"
    BUSY = "busy"
    REFINED = "refined"
    # A recheck offer already taken for these steps.
    RECHECKED = "rechecked"


@dataclass(frozen=True)
class RecheckOffer:
    """Most of a sub-factor's committed steps (under one plan) are done: it may be asked again."""

    plan_assessment_id: int
    subfactor_key: str
    done: int
    committed: int


@dataclass(frozen=True)
class RecheckStep:
    """What to show in a recheck: the next question, the before/after, or why not."""

    locale: Locale
    kb: KnowledgeBase
    recheck_id: int | None = None
    view: AskQuestion | None = None
    change: SubFactorBeforeAfter | None = None
    # (done, committed) steps of the sub-factor, shown with the before/after.
    steps: tuple[int, int] | None = None
    refusal: Refusal | None = None
    notice: Notice | None = None


@dataclass(frozen=True)
class Results:
    """A completed assessment's readiness and tailored advice."""

    assessment_id: int
    kb: KnowledgeBase
    readiness: Readiness
    report: AdviceReport
    comparison: Comparison | None = None
    profile: Mapping[str, str] = field(default_factory=dict)
    completed_at: datetime | None = None
    # The mean of each factor in the respondent's sector, when it has at least k assessments.
    sector_means: Mapping[str, float] | None = None
    # Whether "sharper with three more minutes" is offered under these results.
    refinable: bool = False
    # The sub-factors scored on all their questions by a finished refinement.
    refined: tuple[str, ...] = ()
    # The KB revision scored under, and the organisation's deep-link code (the report's name).
    kb_revision: int | None = None
    org_code: str | None = None
    # (done, committed) steps of the person's plans per sub-factor, and the rechecks on offer.
    steps_done: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    rechecks: tuple[RecheckOffer, ...] = ()


@dataclass(frozen=True)
class RefinementProgress:
    """Where a respondent is in the refinement of a completed short checklist."""

    number: int
    total: int
    subfactor_keys: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """What to show after an update: the current view, a notice, or the results."""

    locale: Locale
    kb: KnowledgeBase
    assessment_id: int | None = None
    view: View | None = None
    notice: Notice | None = None
    results: Results | None = None
    refusal: Refusal | None = None
    resumed: bool = False
    refinement: RefinementProgress | None = None
    # A deep link's outcome: the registered organisation's name, or that its code is unknown.
    organisation: str | None = None
    unknown_code: bool = False


class ChecklistObserver(Protocol):
    """Told of assessments started and completed, once committed (metrics, for example)."""

    def assessment_started(self) -> None: ...

    def assessment_completed(self) -> None: ...


def position_of(view: View) -> int:
    """Where `view` stands in the interview: profile steps, the question set, then questions."""
    if isinstance(view, AskProfile):
        return view.step
    if isinstance(view, AskQuestionSet):
        return len(PROFILE_FIELDS) + 1
    if isinstance(view, AskQuestion):
        return len(PROFILE_FIELDS) + 1 + view.number
    return 0
