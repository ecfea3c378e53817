"""The typed, immutable knowledge base: factors, sub-factors, questions, evidence, advice."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from knowledge.levels import Band, Condition, Stage, StageRequirement
from knowledge.steps import Owner, Step

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
    "Scale",
    "ScaleOption",
    "Stage",
    "StageRequirement",
    "SubFactor",
    "Text",
]

Locale = Literal["fa", "en"]
LOCALES: tuple[Locale, ...] = ("fa", "en")
# How the readiness index is computed from sub-factor scores (the KB's `index.method`).
INDEX_METHODS: tuple[str, ...] = ("weighted_mean",)


class Effect(StrEnum):
    """How a sub-factor acts on an agency's use of social media."""

    DRIVER = "driver"
    OBSTACLE = "obstacle"


class EvidenceEffect(StrEnum):
    """What a study shows for a sub-factor; `mixed` when conditional."""

    DRIVER = "driver"
    OBSTACLE = "obstacle"
    MIXED = "mixed"


class QuestionSet(StrEnum):
    """The two question sets: `core` (one question a sub-factor) or `detailed` (all)."""

    CORE = "core"
    DETAILED = "detailed"


@dataclass(frozen=True, slots=True)
class Text:
    """A human text in both languages."""

    fa: str
    en: str

    def get(self, locale: Locale) -> str:
        """Return the text in `locale`."""
        return self.fa if locale == "fa" else self.en


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
class Choice:
    """One option of a profile list (sector, region, role)."""

    key: str
    label: Text


@dataclass(frozen=True, slots=True)
class ProfileOptions:
    """The lists offered as buttons in the respondent's profile."""

    sectors: tuple[Choice, ...]
    regions: tuple[Choice, ...]
    roles: tuple[Choice, ...]


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
class Question:
    """One checklist item, phrased so that a higher answer means more ready."""

    id: str
    text: Text
    weight: float
    set: QuestionSet
    help: Text | None = None
    low: LowAnswer | None = None
    dont_know: DontKnowAdvice | None = None

    def is_low(self, value: int | None) -> bool:
        """Whether `value` is a low answer this question has a finding for."""
        return self.low is not None and value is not None and value <= self.low.at_most


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
    questions: tuple[Question, ...]
    evidence: tuple[Evidence, ...]
    advice: Advice

    def questions_in(self, question_set: QuestionSet) -> tuple[Question, ...]:
        """The questions asked in `question_set` (detailed asks every question)."""
        if question_set is QuestionSet.DETAILED:
            return self.questions
        return tuple(q for q in self.questions if q.set is QuestionSet.CORE)


@dataclass(frozen=True, slots=True)
class Factor:
    """One of the four factors and its sub-factors."""

    key: str
    title: Text
    description: Text
    subfactors: tuple[SubFactor, ...]


@dataclass(frozen=True, slots=True)
class Reference:
    """A bibliographic record; never translated."""

    key: str
    authors: tuple[str, ...]
    year: int | None
    title: str
    venue: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    url: str = ""

    @property
    def link(self) -> str:
        """The DOI link when there is a DOI, else the URL."""
        return f"https://doi.org/{self.doi}" if self.doi else self.url


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
    version: int = 2
    block_reasons: tuple[BlockReason, ...] = ()
    _subfactors: dict[str, SubFactor] = field(init=False, repr=False, compare=False)
    _questions: dict[str, tuple[Question, SubFactor]] = field(init=False, repr=False, compare=False)
    _references: dict[str, Reference] = field(init=False, repr=False, compare=False)
    _steps: dict[str, Step] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        subfactors = {sf.key: sf for f in self.factors for sf in f.subfactors}
        questions = {q.id: (q, sf) for sf in subfactors.values() for q in sf.questions}
        object.__setattr__(self, "_subfactors", subfactors)
        object.__setattr__(self, "_questions", questions)
        object.__setattr__(self, "_references", {r.key: r for r in self.references})
        object.__setattr__(self, "_steps", {s.id: s for s in self.steps})

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
        """Whether `question_id` names a question of this KB."""
        return question_id in self._questions

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
        """The ordered checklist for `question_set`."""
        return tuple(q for sf in self._subfactors.values() for q in sf.questions_in(question_set))

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
                for k, e in enumerate(sf.evidence):
                    yield f"{base}.evidence[{k}].finding", e.finding
                for band_advice in sf.advice.bands:
                    yield f"{base}.advice.bands.{band_advice.band}.summary", band_advice.summary
