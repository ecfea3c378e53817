"""Factors and sub-factors: what the paper measures, the studies behind it, the advice."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from knowledge.questions import Question, QuestionSet
from knowledge.vocabulary import Text

__all__ = ["Advice", "BandAdvice", "Effect", "Evidence", "EvidenceEffect", "Factor", "SubFactor"]


class Effect(StrEnum):
    """How a sub-factor acts on an agency's use of social media."""

    DRIVER = "driver"
    OBSTACLE = "obstacle"


class EvidenceEffect(StrEnum):
    """What a study shows for a sub-factor; `mixed` when conditional."""

    DRIVER = "driver"
    OBSTACLE = "obstacle"
    MIXED = "mixed"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One study's finding about a sub-factor."""

    ref: str
    finding: Text
    effect: EvidenceEffect


@dataclass(frozen=True, slots=True)
class BandAdvice:
    """Advice for a sub-factor in one band: a summary of the level and the steps for it."""

    band: str
    summary: Text
    steps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Advice:
    """A sub-factor's advice, one entry per score band (in the KB's band order)."""

    bands: tuple[BandAdvice, ...]

    def for_band(self, band: str) -> BandAdvice:
        """The advice for `band` (KeyError if the KB has none)."""
        for advice in self.bands:
            if advice.band == band:
                return advice
        raise KeyError(band)


@dataclass(frozen=True, slots=True)
class SubFactor:
    """One of the sixteen sub-factors, with the paper's national baseline."""

    key: str
    factor_key: str
    title: Text
    description: Text
    baseline: Effect
    weight: float
    questions: tuple[Question, ...]  # every question, retired ones included (see Retirement)
    evidence: tuple[Evidence, ...]
    advice: Advice

    @property
    def asked_questions(self) -> tuple[Question, ...]:
        """The questions new assessments ask (every question but the retired ones)."""
        return tuple(q for q in self.questions if not q.is_retired)

    def questions_in(self, question_set: QuestionSet) -> tuple[Question, ...]:
        """The questions asked in `question_set` (detailed asks every question not retired)."""
        if question_set is QuestionSet.DETAILED:
            return self.asked_questions
        return tuple(q for q in self.asked_questions if q.set is QuestionSet.CORE)


@dataclass(frozen=True, slots=True)
class Factor:
    """One of the four factors and its sub-factors."""

    key: str
    title: Text
    description: Text
    subfactors: tuple[SubFactor, ...]
