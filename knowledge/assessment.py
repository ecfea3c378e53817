"""Answers -> readiness: scores, bands, effect, confidence, the stage by its conditions, priorities.

How a result is computed, step by step and with a worked example: docs/scoring.md.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache

from knowledge.model import Effect, Factor, KnowledgeBase, QuestionSet, Stage, SubFactor
from knowledge.placement import HeldBack, place_stage, requirement_holds

__all__ = [
    "URGENCY",
    "FactorResult",
    "HeldBack",
    "Priority",
    "Readiness",
    "SubFactorResult",
    "assess",
    "effect_for",
    "place_stage",
    "requirement_holds",
    "score_subfactor",
]

MIN_SCORE = 0.0
MAX_SCORE = 100.0
# An obstacle in this agency where the national review finds a driver weighs twice as much,
# and urgent obstacles are ranked before every other (so "urgent" labels and the list agree).
URGENCY = 2.0


@dataclass(frozen=True, slots=True)
class SubFactorResult:
    """One sub-factor in this agency: score (0-100), band, effect and what the call rests on.

    `answers` holds the asked questions that were answered, in KB order, `None` for "don't
    know"; `answered` counts the real answers (the score rests on `answered` of `asked`).
    """

    key: str
    factor_key: str
    score: float | None
    confidence: float
    effect: Effect | None
    baseline: Effect
    answered: int
    asked: int
    band: str | None = None
    weight: float = 1.0
    answers: tuple[tuple[str, int | None], ...] = ()

    @property
    def dont_know(self) -> tuple[str, ...]:
        """The asked questions answered "don't know", in KB order."""
        return tuple(qid for qid, value in self.answers if value is None)

    @property
    def one_answer(self) -> bool:
        """Whether the score rests on a single answer (shown as such)."""
        return self.answered == 1

    @property
    def urgent(self) -> bool:
        """An obstacle here where the national review finds a driver."""
        return self.effect is Effect.OBSTACLE and self.baseline is Effect.DRIVER


@dataclass(frozen=True, slots=True)
class FactorResult:
    """One factor: the weighted mean of its scored sub-factors."""

    key: str
    score: float | None
    subfactors: tuple[SubFactorResult, ...]


@dataclass(frozen=True, slots=True)
class Priority:
    """An obstacle worth working on first; `rank_value` = gap × weight × urgency."""

    subfactor_key: str
    gap: float
    weight: float
    rank_value: float
    urgency: float = 1.0
    evidence: int = 0

    @property
    def urgent(self) -> bool:
        """Whether this obstacle is urgent (the national review finds a driver)."""
        return self.urgency > 1.0


@dataclass(frozen=True, slots=True)
class Readiness:
    """The whole profile: index, stage (and what holds it back), factors and priorities.

    `priorities` are the first few of `ranking`, which ranks every obstacle.
    """

    index: float | None
    stage: Stage | None
    factors: tuple[FactorResult, ...]
    priorities: tuple[Priority, ...]
    held_back: HeldBack | None = None
    ranking: tuple[Priority, ...] = ()

    @property
    def subfactors(self) -> tuple[SubFactorResult, ...]:
        """Every sub-factor result, in KB order."""
        return tuple(sf for factor in self.factors for sf in factor.subfactors)

    @property
    def weights(self) -> dict[str, float]:
        """Each sub-factor's weight in the index, in KB order (shown beside the index)."""
        return {sf.key: sf.weight for sf in self.subfactors}

    @property
    def dont_know(self) -> tuple[str, ...]:
        """Every question answered "don't know", in KB order."""
        return tuple(qid for sf in self.subfactors for qid in sf.dont_know)

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
    given: list[tuple[str, int | None]] = []
    for question in asked:
        if question.id not in answers:
            continue
        value = answers[question.id]
        given.append((question.id, value))
        if value is None:
            continue
        if not kb.scale_of(question).is_valid(value):
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
        band=None if score is None else kb.band_for(score).key,
        weight=subfactor.weight,
        answers=tuple(given),
    )


def assess(
    kb: KnowledgeBase,
    question_set: QuestionSet,
    answers: Mapping[str, int | None],
    *,
    refined: Collection[str] = (),
    max_priorities: int = 3,
) -> Readiness:
    """Score every sub-factor and factor, place the agency on a stage, rank its obstacles.

    Sub-factors named in `refined` were asked all their (detailed) questions.
    """
    if max_priorities < 0:
        raise ValueError(f"max_priorities must not be negative, got {max_priorities}")
    factors = tuple(
        _score_factor(kb, factor, question_set, answers, refined) for factor in kb.factors
    )
    results = [sf for factor in factors for sf in factor.subfactors]
    index = _weighted_mean((r.score, r.weight) for r in results)
    stage, held_back = place_stage(kb, results) if index is not None else (None, None)
    ranking = _ranking(kb, results)
    return Readiness(
        index=index,
        stage=stage,
        factors=factors,
        priorities=ranking[:max_priorities],
        held_back=held_back,
        ranking=ranking,
    )


def _score_factor(
    kb: KnowledgeBase,
    factor: Factor,
    question_set: QuestionSet,
    answers: Mapping[str, int | None],
    refined: Collection[str],
) -> FactorResult:
    results = tuple(
        score_subfactor(
            kb, sf, QuestionSet.DETAILED if sf.key in refined else question_set, answers
        )
        for sf in factor.subfactors
    )
    score = _weighted_mean((r.score, r.weight) for r in results)
    return FactorResult(key=factor.key, score=score, subfactors=results)


def _ranking(kb: KnowledgeBase, results: Iterable[SubFactorResult]) -> tuple[Priority, ...]:
    ranked = []
    for result in results:
        if result.effect is not Effect.OBSTACLE or result.score is None:
            continue
        gap = kb.driver_threshold - result.score
        urgency = URGENCY if result.urgent else 1.0
        evidence = len(kb.subfactor(result.key).evidence)
        ranked.append(
            Priority(
                result.key, gap, result.weight, gap * result.weight * urgency, urgency, evidence
            )
        )
    # Urgent first, then by value, then by evidence; sort() is stable, so KB order breaks the rest.
    ranked.sort(key=lambda p: (not p.urgent, -p.rank_value, -p.evidence))
    return tuple(ranked)


@cache  # a KB has a handful of distinct weights; parsing one took most of a score's time
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


def _weighted_mean(scores: Iterable[tuple[float | None, float]]) -> float | None:
    """The mean of the present scores, each counted `weight` times (the readiness index)."""
    present = [(Fraction(score), _exact(weight)) for score, weight in scores if score is not None]
    total = sum((weight for _, weight in present), Fraction(0))
    if not present or total == 0:
        return None
    return _clamp(sum((score * weight for score, weight in present), Fraction(0)) / total)


def _clamp(score: Fraction) -> float:
    # Exact arithmetic keeps scores in range; the clamp guards against a KB whose scale
    # allows values outside 0..max.
    return min(max(float(score), MIN_SCORE), MAX_SCORE)
