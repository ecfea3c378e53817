"""The typed, immutable knowledge base: factors, sub-factors, questions, evidence, advice.

The parts live in vocabulary.py, questions.py, subfactors.py, levels.py and steps.py; this
module holds the whole and re-exports the parts, so that `knowledge.model` names them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from knowledge.levels import Band, Condition, Stage, StageRequirement
from knowledge.platforms import Platform
from knowledge.questions import (
    DontKnowAdvice,
    LowAnswer,
    Question,
    QuestionSet,
    Retirement,
    Scale,
    ScaleOption,
)
from knowledge.steps import Owner, Step
from knowledge.subfactors import (
    Advice,
    BandAdvice,
    Effect,
    Evidence,
    EvidenceEffect,
    Factor,
    SubFactor,
)
from knowledge.vocabulary import LOCALES, Choice, Locale, ProfileOptions, Reference, Text

if TYPE_CHECKING:  # knowledge.block_reasons imports the checks, which import this module
    from knowledge.block_reasons import BlockReason

__all__ = [
    "INDEX_METHODS",
    "LOCALES",
    "Advice",
    "Band",
    "BandAdvice",
    "Choice",
    "Condition",
    "DontKnowAdvice",
    "Effect",
    "Evidence",
    "EvidenceEffect",
    "Factor",
    "KnowledgeBase",
    "Locale",
    "LowAnswer",
    "ProfileOptions",
    "Question",
    "QuestionSet",
    "Reference",
    "Retirement",
    "Scale",
    "ScaleOption",
    "Stage",
    "StageRequirement",
    "SubFactor",
    "Text",
]

# How the readiness index is computed from sub-factor scores (the KB's `index.method`).
INDEX_METHODS: tuple[str, ...] = ("weighted_mean",)


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole, validated knowledge base: built once, shared read-only.

    `version` is the schema version of the document it was loaded from: a version 1 document
    is upgraded in memory (see knowledge/upgrade.py) and exported as version 1 again.
    """

    scale: Scale
    driver_threshold: float
    stages: tuple[Stage, ...]
    profile: ProfileOptions
    factors: tuple[Factor, ...]
    references: tuple[Reference, ...]
    bands: tuple[Band, ...]
    owners: tuple[Owner, ...] = ()
    steps: tuple[Step, ...] = ()
    index_method: str = "weighted_mean"
    platforms: tuple[Platform, ...] = ()
    version: int = 2
    # Answer scales other than `scale` (the practice scale), by key, with the same values.
    scales: tuple[tuple[str, Scale], ...] = ()
    block_reasons: tuple[BlockReason, ...] = ()
    _subfactors: dict[str, SubFactor] = field(init=False, repr=False, compare=False)
    _questions: dict[str, tuple[Question, SubFactor]] = field(init=False, repr=False, compare=False)
    _references: dict[str, Reference] = field(init=False, repr=False, compare=False)
    _steps: dict[str, Step] = field(init=False, repr=False, compare=False)
    # Each question set's checklist, asked for several times by every answer.
    _checklists: dict[QuestionSet, tuple[Question, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        subfactors = {sf.key: sf for f in self.factors for sf in f.subfactors}
        questions = {q.id: (q, sf) for sf in subfactors.values() for q in sf.questions}
        object.__setattr__(self, "_subfactors", subfactors)
        object.__setattr__(self, "_questions", questions)
        object.__setattr__(self, "_references", {r.key: r for r in self.references})
        object.__setattr__(self, "_steps", {s.id: s for s in self.steps})
        checklists = {
            question_set: tuple(
                q for sf in subfactors.values() for q in sf.questions_in(question_set)
            )
            for question_set in QuestionSet
        }
        object.__setattr__(self, "_checklists", checklists)

    @property
    def subfactors(self) -> tuple[SubFactor, ...]:
        """Every sub-factor, in KB order."""
        return tuple(self._subfactors.values())

    @property
    def index_weights(self) -> dict[str, float]:
        """Each sub-factor's weight in the readiness index (a weighted mean), in KB order."""
        return {sf.key: sf.weight for sf in self._subfactors.values()}

    def subfactor(self, key: str) -> SubFactor:
        """The sub-factor with `key` (KeyError if unknown)."""
        return self._subfactors[key]

    def factor(self, key: str) -> Factor:
        """The factor with `key` (KeyError if unknown)."""
        for factor in self.factors:
            if factor.key == key:
                return factor
        raise KeyError(key)

    def question(self, question_id: str) -> Question:
        """The question with `question_id` (KeyError if unknown)."""
        return self._questions[question_id][0]

    def subfactor_of(self, question_id: str) -> SubFactor:
        """The sub-factor a question belongs to."""
        return self._questions[question_id][1]

    def has_question(self, question_id: str) -> bool:
        """Whether `question_id` names a question of this KB (retired ones included)."""
        return question_id in self._questions

    def scale_of(self, question: Question) -> Scale:
        """The scale `question` is answered on: its own, else the KB's (practice) scale."""
        if question.scale is None:
            return self.scale
        return dict(self.scales)[question.scale]

    def retired_questions(self) -> tuple[Question, ...]:
        """The questions no longer asked, kept so that answers stored under them stay named."""
        return tuple(q for sf in self._subfactors.values() for q in sf.questions if q.is_retired)

    def reference(self, key: str) -> Reference:
        """The reference with `key` (KeyError if unknown)."""
        return self._references[key]

    def step(self, step_id: str) -> Step:
        """The catalogue step with `step_id` (KeyError if unknown)."""
        return self._steps[step_id]

    def owner(self, key: str) -> Owner:
        """The owner role with `key` (KeyError if unknown)."""
        for owner in self.owners:
            if owner.key == key:
                return owner
        raise KeyError(key)

    def band(self, key: str) -> Band:
        """The score band with `key` (KeyError if unknown)."""
        for band in self.bands:
            if band.key == key:
                return band
        raise KeyError(key)

    def band_for(self, score: float) -> Band:
        """The band a score falls in: the highest band whose minimum it reaches."""
        reached = [b for b in self.bands if score >= b.min_score]
        return max(reached, key=lambda b: b.min_score) if reached else self.bands[0]

    def questions(self, question_set: QuestionSet) -> tuple[Question, ...]:
        """The ordered checklist for `question_set` (never a retired question)."""
        return self._checklists[question_set]

    def iter_texts(self) -> Iterator[tuple[str, Text]]:
        """Every human text with its path, for checks that span the whole KB."""
        for i, b in enumerate(self.bands):
            yield f"bands[{i}].title", b.title
        for i, o in enumerate(self.owners):
            yield f"owners[{i}].title", o.title
        for i, r in enumerate(self.block_reasons):
            yield f"block_reasons[{i}].title", r.title
        for i, step in enumerate(self.steps):
            yield f"steps[{i}].text", step.text
            for k, variant in enumerate(step.variants):
                yield f"steps[{i}].variants[{k}].text", variant.text
        for i, f in enumerate(self.factors):
            yield f"factors[{i}].title", f.title
            yield f"factors[{i}].description", f.description
            for j, sf in enumerate(f.subfactors):
                base = f"factors[{i}].subfactors[{j}]"
                yield f"{base}.title", sf.title
                yield f"{base}.description", sf.description
                for k, q in enumerate(sf.questions):
                    yield f"{base}.questions[{k}].text", q.text
                    if q.low is not None:
                        yield f"{base}.questions[{k}].low.finding", q.low.finding
                    if q.dont_know is not None:
                        yield f"{base}.questions[{k}].dont_know.finding", q.dont_know.finding
                    if q.retired is not None and q.retired.reason is not None:
                        yield f"{base}.questions[{k}].retired.reason", q.retired.reason
                for k, e in enumerate(sf.evidence):
                    yield f"{base}.evidence[{k}].finding", e.finding
                for band_advice in sf.advice.bands:
                    yield f"{base}.advice.bands.{band_advice.band}.summary", band_advice.summary
