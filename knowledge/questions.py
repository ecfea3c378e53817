"""Checklist questions and the scale they are answered on."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from knowledge.vocabulary import Text

__all__ = [
    "DontKnowAdvice",
    "LowAnswer",
    "Question",
    "QuestionSet",
    "Retirement",
    "Scale",
    "ScaleOption",
]


class QuestionSet(StrEnum):
    """The two question sets: `core` (one question a sub-factor) or `detailed` (all)."""

    CORE = "core"
    DETAILED = "detailed"


@dataclass(frozen=True, slots=True)
class ScaleOption:
    """One answer on the scale; higher values mean more ready."""

    value: int
    label: Text


@dataclass(frozen=True, slots=True)
class Scale:
    """The answer options plus the "don't know" label (counts as unanswered)."""

    options: tuple[ScaleOption, ...]
    dont_know: Text

    @property
    def max_value(self) -> int:
        """The highest answer value (the scale's "fully")."""
        return max(option.value for option in self.options)

    def label(self, value: int | None) -> Text:
        """The label of an answer value; `None` is "don't know"."""
        if value is None:
            return self.dont_know
        for option in self.options:
            if option.value == value:
                return option.label
        raise KeyError(value)

    def is_valid(self, value: int | None) -> bool:
        """Whether `value` is an answer on this scale (or "don't know")."""
        return value is None or any(option.value == value for option in self.options)


@dataclass(frozen=True, slots=True)
class LowAnswer:
    """What an answer of `at_most` or less means, and the steps that fix exactly that."""

    at_most: int
    finding: Text
    steps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DontKnowAdvice:
    """Advice for "don't know": who in the agency would know (`owner`) and how to find out."""

    finding: Text
    owner: str


@dataclass(frozen=True, slots=True)
class Retirement:
    """Why a question is no longer asked: the questions that now ask its fact, and a note.

    A retired question stays in the KB so that its key keeps its meaning: answers stored under
    it (older assessments, statistics) still name this question and are never read as another's.
    """

    replaced_by: tuple[str, ...] = ()
    reason: Text | None = None


@dataclass(frozen=True, slots=True)
class Question:
    """One checklist item, phrased so that a higher answer means more ready."""

    id: str
    text: Text
    weight: float
    set: QuestionSet
    help: Text | None = None
    low: LowAnswer | None = None
    dont_know: DontKnowAdvice | None = None
    retired: Retirement | None = None
    scale: str | None = None  # the key of its own scale (see KnowledgeBase.scale_of)

    @property
    def is_retired(self) -> bool:
        """Whether new assessments no longer ask this question."""
        return self.retired is not None

    def is_low(self, value: int | None) -> bool:
        """Whether `value` is a low answer this question has a finding for."""
        return self.low is not None and value is not None and value <= self.low.at_most
