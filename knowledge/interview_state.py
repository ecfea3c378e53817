"""The interview's values: the respondent's state, the events that move it, the views it shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from knowledge.model import Choice, Factor, Question, QuestionSet, SubFactor

__all__ = [
    "ORGANISATION_MAX_LENGTH",
    "PROFILE_FIELDS",
    "AnswerQuestion",
    "AskProfile",
    "AskQuestion",
    "AskQuestionSet",
    "ChooseQuestionSet",
    "Completed",
    "Event",
    "GoBack",
    "InterviewState",
    "Notice",
    "Refine",
    "SetProfile",
    "Transition",
    "View",
]

PROFILE_FIELDS: tuple[str, ...] = ("sector", "region", "organisation", "role")
ORGANISATION_MAX_LENGTH = 120
_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class InterviewState:
    """Where a respondent is: a small value that storage can save and restore anywhere.

    `refined` names the sub-factors whose detailed questions follow the core checklist
    ("sharper with three more minutes"); empty unless the respondent asked for them.
    """

    profile: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    question_set: QuestionSet | None = None
    answers: Mapping[str, int | None] = field(default_factory=lambda: _EMPTY)
    cursor: int = 0
    refined: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form of the state."""
        return {
            "profile": dict(self.profile),
            "question_set": self.question_set.value if self.question_set else None,
            "answers": dict(self.answers),
            "cursor": self.cursor,
            "refined": list(self.refined),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InterviewState:
        """Rebuild a state saved with `to_dict`."""
        question_set = data.get("question_set")
        return cls(
            profile=MappingProxyType(dict(data.get("profile") or {})),
            question_set=QuestionSet(question_set) if question_set else None,
            answers=MappingProxyType(dict(data.get("answers") or {})),
            cursor=int(data.get("cursor") or 0),
            refined=tuple(str(key) for key in data.get("refined") or ()),
        )


@dataclass(frozen=True)
class SetProfile:
    """The respondent chose or typed a profile field."""

    field: str
    value: str


@dataclass(frozen=True)
class ChooseQuestionSet:
    """The respondent chose the core or the detailed checklist."""

    question_set: QuestionSet


@dataclass(frozen=True)
class AnswerQuestion:
    """The respondent answered a question; `None` means "don't know"."""

    question_id: str
    value: int | None


@dataclass(frozen=True)
class GoBack:
    """The respondent wants the previous step."""


@dataclass(frozen=True)
class Refine:
    """After the core checklist, ask the detailed questions of these sub-factors too."""

    subfactor_keys: tuple[str, ...]


Event = SetProfile | ChooseQuestionSet | AnswerQuestion | GoBack | Refine


@dataclass(frozen=True)
class AskProfile:
    """Ask for a profile field; `options` is None for free text (organisation)."""

    field: str
    options: tuple[Choice, ...] | None
    step: int
    steps: int


@dataclass(frozen=True)
class AskQuestionSet:
    """Ask which checklist to take."""

    core_count: int
    detailed_count: int


@dataclass(frozen=True)
class AskQuestion:
    """Show one question with its place in the checklist."""

    question: Question
    subfactor: SubFactor
    factor: Factor
    number: int
    total: int
    previous_answer: int | None
    answered_before: bool


@dataclass(frozen=True)
class Completed:
    """Every question of the chosen set has been answered."""


View = AskProfile | AskQuestionSet | AskQuestion | Completed


class Notice(StrEnum):
    """Why an event changed nothing, for the reply to say so."""

    AT_START = "at_start"
    STALE = "stale"
    INVALID_CHOICE = "invalid_choice"
    INVALID_TEXT = "invalid_text"
    INVALID_VALUE = "invalid_value"
    FINISHED = "finished"


@dataclass(frozen=True)
class Transition:
    """The outcome of one event: the new state, what to show, and any notice."""

    state: InterviewState
    view: View
    notice: Notice | None = None

    @property
    def changed(self) -> bool:
        """Whether the event was accepted (no notice)."""
        return self.notice is None
