"""The checklist's buttons: language, profile, question set, answers, back, confirmations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from handlers.callbacks.codec import ID, KEY, Codec

__all__ = [
    "CODECS",
    "DONT_KNOW",
    "Answer",
    "Back",
    "ChecklistChoice",
    "ChooseLanguage",
    "ChooseProfile",
    "ChooseQuestionSet",
    "ContinueChecklist",
    "RefineResults",
]

DONT_KNOW = "x"


@dataclass(frozen=True)
class ChooseLanguage:
    """Switch the respondent's language."""

    language: str


@dataclass(frozen=True)
class ChooseProfile:
    """Pick one option of a profile list (sector, region, role)."""

    assessment_id: int
    field: str
    key: str


@dataclass(frozen=True)
class ChooseQuestionSet:
    """Pick the core or the detailed checklist."""

    assessment_id: int
    question_set: str


@dataclass(frozen=True)
class Answer:
    """Answer a question; `value` None is "don't know"."""

    assessment_id: int
    question_id: str
    value: int | None


@dataclass(frozen=True)
class Back:
    """Go back one step from `position` (a press from any other step is stale)."""

    assessment_id: int
    position: int


@dataclass(frozen=True)
class ChecklistChoice:
    """A confirmation about the checklist: `action` on `assessment_id` (0 when none).

    cancel / restart: discard the assessment in progress; stay: keep it; keep / fresh: start
    with the profile of the completed assessment, or a new one; org: change the organisation.
    """

    action: str
    assessment_id: int


@dataclass(frozen=True)
class ContinueChecklist:
    """Show the current question again (the button under a reminder)."""

    assessment_id: int


@dataclass(frozen=True)
class RefineResults:
    """Ask the detailed questions of a completed short checklist's top priorities."""

    assessment_id: int


_PROFILE_FIELDS = {"s": "sector", "r": "region", "o": "role"}
_PROFILE_CODES = {name: code for code, name in _PROFILE_FIELDS.items()}


def _answer(groups: tuple[Any, ...]) -> Answer:
    value = None if groups[2] == DONT_KNOW else int(groups[2])
    return Answer(int(groups[0]), groups[1], value)


def _encode_answer(answer: Answer) -> str:
    shown = DONT_KNOW if answer.value is None else str(answer.value)
    return f"a:{answer.assessment_id}:{answer.question_id}:{shown}"


CODECS: tuple[Codec[Any], ...] = (
    Codec(
        ChooseLanguage,
        re.compile(r"lang:(fa|en)"),
        lambda c: f"lang:{c.language}",
        lambda g: ChooseLanguage(g[0]),
    ),
    Codec(
        ChooseProfile,
        re.compile(rf"p:{ID}:([sro]):{KEY}"),
        lambda c: f"p:{c.assessment_id}:{_PROFILE_CODES[c.field]}:{c.key}",
        lambda g: ChooseProfile(int(g[0]), _PROFILE_FIELDS[g[1]], g[2]),
    ),
    Codec(
        ChooseQuestionSet,
        re.compile(rf"qs:{ID}:(core|detailed)"),
        lambda c: f"qs:{c.assessment_id}:{c.question_set}",
        lambda g: ChooseQuestionSet(int(g[0]), g[1]),
    ),
    Codec(Answer, re.compile(rf"a:{ID}:{KEY}:([0-9]|{DONT_KNOW})"), _encode_answer, _answer),
    Codec(
        Back,
        re.compile(rf"b:{ID}:(0|[1-9][0-9]{{0,3}})"),
        lambda c: f"b:{c.assessment_id}:{c.position}",
        lambda g: Back(int(g[0]), int(g[1])),
    ),
    Codec(
        ChecklistChoice,
        re.compile(rf"cf:(cancel|restart|stay|keep|fresh|org):(0|{ID[1:-1]})"),
        lambda c: f"cf:{c.action}:{c.assessment_id}",
        lambda g: ChecklistChoice(g[0], int(g[1])),
    ),
    Codec(
        ContinueChecklist,
        re.compile(rf"rem:{ID}"),
        lambda c: f"rem:{c.assessment_id}",
        lambda g: ContinueChecklist(int(g[0])),
    ),
    Codec(
        RefineResults,
        re.compile(rf"rf:{ID}"),
        lambda c: f"rf:{c.assessment_id}",
        lambda g: RefineResults(int(g[0])),
    ),
)
