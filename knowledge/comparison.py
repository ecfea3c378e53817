"""Two assessments side by side: how each sub-factor's score and effect changed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from knowledge.assessment import Readiness, SubFactorResult
from knowledge.model import Effect

__all__ = ["MIN_CHANGE", "Comparison", "SubFactorChange", "Trend", "compare", "trend_of"]

# Scores are shown in whole points: a change smaller than half a point is not a change.
MIN_CHANGE = 0.5


class Trend(StrEnum):
    """Which way a score moved; `unknown` when either side has no score."""

    UP = "up"
    DOWN = "down"
    SAME = "same"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class SubFactorChange:
    """One sub-factor before and after: scores, effects, and whether it flipped."""

    key: str
    factor_key: str
    before: float | None
    after: float | None
    effect_before: Effect | None
    effect_after: Effect | None
    trend: Trend

    @property
    def delta(self) -> float | None:
        """After minus before; None when either side has no score."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def flipped(self) -> bool:
        """Whether the sub-factor changed from driver to obstacle or back."""
        return (
            self.effect_before is not None
            and self.effect_after is not None
            and self.effect_before is not self.effect_after
        )


@dataclass(frozen=True, slots=True)
class Comparison:
    """The current assessment against the previous one, sub-factor by sub-factor."""

    index_before: float | None
    index_after: float | None
    index_trend: Trend
    changes: tuple[SubFactorChange, ...]

    @property
    def index_delta(self) -> float | None:
        """The readiness index after minus before; None when either is missing."""
        if self.index_before is None or self.index_after is None:
            return None
        return self.index_after - self.index_before

    @property
    def became_drivers(self) -> tuple[SubFactorChange, ...]:
        """Sub-factors that were obstacles and are drivers now."""
        return tuple(c for c in self.changes if c.flipped and c.effect_after is Effect.DRIVER)

    @property
    def became_obstacles(self) -> tuple[SubFactorChange, ...]:
        """Sub-factors that were drivers and are obstacles now."""
        return tuple(c for c in self.changes if c.flipped and c.effect_after is Effect.OBSTACLE)

    def change(self, key: str) -> SubFactorChange:
        """The change of sub-factor `key` (KeyError if it is not in the current assessment)."""
        for change in self.changes:
            if change.key == key:
                return change
        raise KeyError(key)


def trend_of(before: float | None, after: float | None) -> Trend:
    """Up, down or the same (within half a point); unknown when either score is missing."""
    if before is None or after is None:
        return Trend.UNKNOWN
    if after - before >= MIN_CHANGE:
        return Trend.UP
    if before - after >= MIN_CHANGE:
        return Trend.DOWN
    return Trend.SAME


def compare(previous: Readiness, current: Readiness) -> Comparison:
    """Every sub-factor of `current`, in its order, against the same key in `previous`.

    The two may come from different KB revisions: a sub-factor the previous assessment did not
    have counts as unscored before.
    """
    earlier = {result.key: result for result in previous.subfactors}
    changes = tuple(_change(earlier.get(result.key), result) for result in current.subfactors)
    return Comparison(
        index_before=previous.index,
        index_after=current.index,
        index_trend=trend_of(previous.index, current.index),
        changes=changes,
    )


def _change(before: SubFactorResult | None, after: SubFactorResult) -> SubFactorChange:
    score_before = None if before is None else before.score
    return SubFactorChange(
        key=after.key,
        factor_key=after.factor_key,
        before=score_before,
        after=after.score,
        effect_before=None if before is None else before.effect,
        effect_after=after.effect,
        trend=trend_of(score_before, after.score),
    )
