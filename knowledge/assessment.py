"""Answers -> readiness: sub-factor and factor scores, effect, confidence and priorities."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from knowledge.model import Effect, Factor, KnowledgeBase, QuestionSet, Stage, SubFactor

__all__ = [
    "FactorResult",
    "Priority",
    "Readiness",
    "SubFactorResult",
    "assess",
    "effect_for",
    "score_subfactor",
]

MIN_SCORE = 0.0
MAX_SCORE = 100.0


@dataclass(frozen=True, slots=True)
class SubFactorResult:
    """One sub-factor in this agency: score (0-100), confidence (0-1) and effect."""

    key: str
    factor_key: str
    score: float | None
    confidence: float
    effect: Effect | None
    baseline: Effect
    answered: int
    asked: int


@dataclass(frozen=True, slots=True)
class FactorResult:
    """One factor: the mean of its scored sub-factors."""

    key: str
    score: float | None
    subfactors: tuple[SubFactorResult, ...]


@dataclass(frozen=True, slots=True)
class Priority:
    """An obstacle worth working on first; ranked by `rank_value` = gap × weight."""

    subfactor_key: str
    gap: float
    weight: float
    rank_value: float


@dataclass(frozen=True, slots=True)
class Readiness:
    """The whole profile: readiness index, stage, factors and priorities."""

    index: float | None
    stage: Stage | None
    factors: tuple[FactorResult, ...]
    priorities: tuple[Priority, ...]

    @property
    def subfactors(self) -> tuple[SubFactorResult, ...]:
        """Every sub-factor result, in KB order."""
        return tuple(sf for factor in self.factors for sf in factor.subfactors)

    def subfactor(self, key: str) -> SubFactorResult:
        """The result for sub-factor `key` (KeyError if unknown)."""
        for result in self.subfactors:
            if result.key == key:
                return result
        raise KeyError(key)

    def factor(self, key: str) -> FactorResult:
        """The result for factor `key` (KeyError if unknown)."""
        for result in self.factors:
            if result.key == key:
                return result
        raise KeyError(key)


def effect_for(score: float, threshold: float) -> Effect:
    """Driver at or above `threshold`, obstacle below."""
    return Effect.DRIVER if score >= threshold else Effect.OBSTACLE


def score_subfactor(
    kb: KnowledgeBase,
    subfactor: SubFactor,
    question_set: QuestionSet,
    answers: Mapping[str, int | None],
) -> SubFactorResult:
    """Score one sub-factor from the answers to its questions in `question_set`."""
    asked = subfactor.questions_in(question_set)
    weighted: list[tuple[Fraction, int]] = []
    for question in asked:
        value = answers.get(question.id)
        if value is None:
            continue
        if not kb.scale.is_valid(value):
            raise ValueError(f"answer {value!r} to question {question.id!r} is not on the scale")
        weighted.append((_exact(question.weight), value))
    score = _weighted_score(weighted, kb.scale.max_value)
    return SubFactorResult(
        key=subfactor.key,
        factor_key=subfactor.factor_key,
        score=score,
        confidence=len(weighted) / len(asked) if asked else 0.0,
        effect=None if score is None else effect_for(score, kb.driver_threshold),
        baseline=subfactor.baseline,
        answered=len(weighted),
        asked=len(asked),
    )


def assess(
    kb: KnowledgeBase,
    question_set: QuestionSet,
    answers: Mapping[str, int | None],
    *,
    max_priorities: int = 3,
) -> Readiness:
    """Score every sub-factor and factor, place the agency on a stage, rank its obstacles."""
    if max_priorities < 0:
        raise ValueError(f"max_priorities must not be negative, got {max_priorities}")
    factors = tuple(_score_factor(kb, factor, question_set, answers) for factor in kb.factors)
    index = _mean(f.score for f in factors)
    return Readiness(
        index=index,
        stage=None if index is None else kb.stage_for(index),
        factors=factors,
        priorities=tuple(_priorities(kb, factors)[:max_priorities]),
    )


def _score_factor(
    kb: KnowledgeBase,
    factor: Factor,
    question_set: QuestionSet,
    answers: Mapping[str, int | None],
) -> FactorResult:
    results = tuple(score_subfactor(kb, sf, question_set, answers) for sf in factor.subfactors)
    return FactorResult(key=factor.key, score=_mean(r.score for r in results), subfactors=results)


def _priorities(kb: KnowledgeBase, factors: Iterable[FactorResult]) -> list[Priority]:
    ranked = []
    for factor in factors:
        for result in factor.subfactors:
            if result.effect is not Effect.OBSTACLE or result.score is None:
                continue
            gap = kb.driver_threshold - result.score
            weight = kb.subfactor(result.key).weight
            ranked.append(Priority(result.key, gap, weight, gap * weight))
    # sort() is stable, also with reverse=True: equal rank values keep KB order.
    ranked.sort(key=lambda p: p.rank_value, reverse=True)
    return ranked


def _exact(weight: float) -> Fraction:
    # Through repr, a weight written as 0.1 is exactly 1/10, so weights that add up on paper
    # add up here too, and a score that should be exactly the threshold is not 59.999...
    return Fraction(repr(weight))


def _weighted_score(weighted: list[tuple[Fraction, int]], max_value: int) -> float | None:
    if not weighted:
        return None
    total = sum((weight for weight, _ in weighted), Fraction(0))
    if total == 0:
        # Only zero-weight questions were answered: no reason to prefer one over another.
        weighted = [(Fraction(1), value) for _, value in weighted]
        total = Fraction(len(weighted))
    mean = sum((weight * value for weight, value in weighted), Fraction(0)) / total
    return _clamp(100 * mean / max_value)


def _mean(scores: Iterable[float | None]) -> float | None:
    present = [Fraction(score) for score in scores if score is not None]
    if not present:
        return None
    return _clamp(sum(present, Fraction(0)) / len(present))


def _clamp(score: Fraction) -> float:
    # Exact arithmetic keeps scores in range; the clamp guards against a KB whose scale
    # allows values outside 0..max.
    return min(max(float(score), MIN_SCORE), MAX_SCORE)
