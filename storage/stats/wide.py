"""Statistics from the wide score rows: one row per completed assessment, one GROUP BY.

`assessment_score` holds an assessment's factor and sub-factor scores in columns that
`score_slot` assigns to keys (storage/scores.py). A group's row has, per slot column, the sum,
the number of scored assessments and their cell key; disclosure.py turns them into published
means. The `present` bits say which keys the group's assessments have results for, so that a
key with a result but no score is reported (as no figure) and a key with no result is left
out, exactly as the long-form statement reports them.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from sqlalchemy import CTE, ColumnElement, Float, Row, Select, cast, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    SUBFACTOR_SLOTS,
    AssessmentScore,
    driver_column,
    factor_column,
    subfactor_column,
)
from storage.scores import ScoreSlots, get_score_slots
from storage.stats.disclosure import (
    SCORE_BOUND,
    SHARE_BOUND,
    Figure,
    Noise,
    cell_key,
    is_suppressed,
)
from storage.stats.figures import GroupStats, SubFactorFigures

__all__ = ["WIDE_BATCH", "Layout", "get_layout", "wide_group", "wide_groups", "wide_statement"]

#: Rows fetched per step (a wide row, one group, is about forty values).
WIDE_BATCH = 200


@dataclass(frozen=True, slots=True)
class Layout:
    """Which columns of the wide row to average, in statement order, and for which keys."""

    factors: tuple[tuple[str, int], ...]
    subfactors: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, slots: ScoreSlots) -> Layout:
        # Sorted by key: the order the long-form statement's GROUP BY gives them.
        return cls(
            factors=tuple(sorted(slots.factors.items())),
            subfactors=tuple(sorted(slots.subfactors.items())),
        )


def _present(dialect: str, column: ColumnElement[int]) -> ColumnElement[Any]:
    """Whichever results any assessment of the group has: the OR of their `present` bits."""
    if dialect == "postgresql":
        return func.bit_or(column)
    # SQLite has no bitwise aggregate: the distinct masks (one per KB revision, in practice),
    # combined in Python.
    return func.group_concat(distinct(column))


def _union(present: int | str | None) -> int:
    if present is None:
        return 0
    if isinstance(present, int):
        return present
    union = 0
    for mask in present.split(","):
        union |= int(mask)
    return union


def _slot(column: ColumnElement[Any], record_key: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    """A slot column's sum, how many assessments have a value there, and their cell key."""
    return [
        cast(func.sum(column), Float),
        func.count(column),
        cell_key(record_key, column.is_not(None)),
    ]


def wide_statement(
    dialect: str, scoped: CTE, keys: Sequence[ColumnElement[Any]], layout: Layout
) -> Select[Any]:
    """A row per group: counts, cell key, readiness, presence bits and every slot's sums
    (`dialect`: the database's dialect name)."""
    score = AssessmentScore.c
    record_key = scoped.c.record_key
    slots: list[ColumnElement[Any]] = []
    for _, slot in layout.factors:
        slots += _slot(score[factor_column(slot)], record_key)
    for _, slot in layout.subfactors:
        slots += _slot(score[subfactor_column(slot)], record_key)
        slots.append(cast(func.sum(score[driver_column(slot)]), Float))
    return (
        select(
            *keys,
            func.count().label("n"),
            func.count(distinct(scoped.c.respondent_id)).label("respondents"),
            cell_key(record_key).label("cell_key"),
            cast(func.sum(scoped.c.readiness_index), Float).label("readiness"),
            func.count(scoped.c.readiness_index).label("scored"),
            _present(dialect, score.present).label("present"),
            *slots,
        )
        # Outer: a completed assessment without results counts, as in the long form.
        .select_from(scoped.outerjoin(AssessmentScore, score.assessment_id == scoped.c.id))
        .group_by(*keys)
        .order_by(*keys)
    )


@dataclass(frozen=True, slots=True)
class _Figures:
    """The published figures of a layout, made once per statement, not once per group."""

    factors: tuple[tuple[str, int, Figure], ...]
    subfactors: tuple[tuple[str, int, Figure, Figure], ...]


@lru_cache(maxsize=64)
def _figures(layout: Layout, noise: Noise) -> _Figures:
    return _Figures(
        factors=tuple((key, slot, noise.figure(f"factor.{key}")) for key, slot in layout.factors),
        subfactors=tuple(
            (key, slot, noise.figure(f"mean.{key}"), noise.figure(f"driver.{key}", SHARE_BOUND))
            for key, slot in layout.subfactors
        ),
    )


def wide_group(row: Row[Any], width: int, layout: Layout, k: int, noise: Noise) -> GroupStats:
    """One group's published figures from its row (a suppressed group: its key alone)."""
    key = tuple(row[:width])
    n, respondents, group_key, readiness, scored, present = row[width : width + 6]
    if is_suppressed(assessments=n, respondents=respondents, k=k):
        return GroupStats(key=key, suppressed=True)
    present = _union(present)
    values = row[width + 6 :]
    figures = _figures(layout, noise)
    factors: dict[str, float | None] = {}
    for i, (factor, slot, mean) in enumerate(figures.factors):
        if present >> (SUBFACTOR_SLOTS + slot) & 1:
            total, count, figure_key = values[3 * i : 3 * i + 3]
            factors[factor] = mean.mean(total, count, figure_key, k)
    subfactors: dict[str, SubFactorFigures] = {}
    first = 3 * len(figures.factors)
    for i, (subfactor, slot, mean, share) in enumerate(figures.subfactors):
        if present >> slot & 1:
            total, count, figure_key, drivers = values[first + 4 * i : first + 4 * i + 4]
            subfactors[subfactor] = SubFactorFigures(
                mean.mean(total, count, figure_key, k), share.mean(drivers, count, figure_key, k)
            )
    return GroupStats(
        key=key,
        suppressed=False,
        n=noise.count(n, group_key, k),
        readiness=noise.mean(readiness, scored, group_key, k, name="readiness", bound=SCORE_BOUND),
        factors=MappingProxyType(factors),
        subfactors=MappingProxyType(subfactors),
    )


async def get_layout(session: AsyncSession) -> Layout | None:
    """The wide row's layout; None when some key has no column there."""
    slots = await get_score_slots(session=session)
    return Layout.of(slots) if slots.fit else None


async def wide_groups(
    rows: AsyncIterator[Row[Any]], width: int, layout: Layout, k: int, noise: Noise
) -> AsyncGenerator[GroupStats, None]:
    """Each group of the wide statement's rows (one row a group), in order."""
    async for row in rows:
        yield wide_group(row, width, layout, k, noise)
