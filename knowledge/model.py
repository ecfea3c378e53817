"""The typed, immutable knowledge base: factors, sub-factors, questions, evidence, advice."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

__all__ = [
    "LOCALES",
    "Action",
    "Advice",
    "AdviceCase",
    "Choice",
    "Effect",
    "Evidence",
    "EvidenceEffect",
    "Factor",
    "KnowledgeBase",
    "Locale",
    "ProfileOptions",
    "Question",
    "QuestionSet",
    "Reference",
    "Scale",
    "ScaleOption",
    "Stage",
    "SubFactor",
    "Text",
]

Locale = Literal["fa", "en"]
LOCALES: tuple[Locale, ...] = ("fa", "en")


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
class Stage:
    """A readiness stage (Mergel & Bretschneider) reached at `min_score` and above."""

    key: str
    min_score: float
    title: Text
    description: Text


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
class Question:
    """One checklist item, phrased so that a higher answer means more ready."""

    id: str
    text: Text
    weight: float
    set: QuestionSet
    help: Text | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """One study's finding about a sub-factor."""

    ref: str
    finding: Text
    effect: EvidenceEffect


@dataclass(frozen=True, slots=True)
class Action:
    """A concrete step an agency can take, with the references that support it."""

    text: Text
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AdviceCase:
    """Advice for one case (the sub-factor is an obstacle, or a driver, in the agency)."""

    summary: Text
    actions: tuple[Action, ...]

    @property
    def refs(self) -> tuple[str, ...]:
        """Every reference cited by the actions, in order of first citation."""
        return tuple(dict.fromkeys(ref for action in self.actions for ref in action.refs))


@dataclass(frozen=True, slots=True)
class Advice:
    """Advice for both cases."""

    obstacle: AdviceCase
    driver: AdviceCase

    def for_effect(self, effect: Effect) -> AdviceCase:
        """The advice that applies when the sub-factor acts as `effect`."""
        return self.driver if effect is Effect.DRIVER else self.obstacle


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
    """The whole, validated knowledge base: built once, shared read-only."""

    scale: Scale
    driver_threshold: float
    stages: tuple[Stage, ...]
    profile: ProfileOptions
    factors: tuple[Factor, ...]
    references: tuple[Reference, ...]
    _subfactors: dict[str, SubFactor] = field(init=False, repr=False, compare=False)
    _questions: dict[str, tuple[Question, SubFactor]] = field(init=False, repr=False, compare=False)
    _references: dict[str, Reference] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        subfactors = {sf.key: sf for f in self.factors for sf in f.subfactors}
        questions = {q.id: (q, sf) for sf in subfactors.values() for q in sf.questions}
        object.__setattr__(self, "_subfactors", subfactors)
        object.__setattr__(self, "_questions", questions)
        object.__setattr__(self, "_references", {r.key: r for r in self.references})

    @property
    def subfactors(self) -> tuple[SubFactor, ...]:
        """Every sub-factor, in KB order."""
        return tuple(self._subfactors.values())

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

    def questions(self, question_set: QuestionSet) -> tuple[Question, ...]:
        """The ordered checklist for `question_set`."""
        return tuple(q for sf in self._subfactors.values() for q in sf.questions_in(question_set))

    def stage_for(self, score: float) -> Stage:
        """The highest stage whose minimum `score` reaches."""
        reached = [s for s in self.stages if score >= s.min_score]
        return max(reached, key=lambda s: s.min_score) if reached else self.stages[0]

    def iter_texts(self) -> Iterator[tuple[str, Text]]:
        """Every human text with its path, for checks that span the whole KB."""
        for i, f in enumerate(self.factors):
            yield f"factors[{i}].title", f.title
            yield f"factors[{i}].description", f.description
            for j, sf in enumerate(f.subfactors):
                base = f"factors[{i}].subfactors[{j}]"
                yield f"{base}.title", sf.title
                yield f"{base}.description", sf.description
                for k, q in enumerate(sf.questions):
                    yield f"{base}.questions[{k}].text", q.text
                for k, e in enumerate(sf.evidence):
                    yield f"{base}.evidence[{k}].finding", e.finding
                for case in ("obstacle", "driver"):
                    advice = sf.advice.obstacle if case == "obstacle" else sf.advice.driver
                    yield f"{base}.advice.{case}.summary", advice.summary
                    for k, a in enumerate(advice.actions):
                        yield f"{base}.advice.{case}.actions[{k}].text", a.text
