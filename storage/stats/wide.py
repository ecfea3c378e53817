"""Statistics from the wide score rows: one row per completed assessment, one GROUP BY.

`assessment_score` holds an assessment's factor and sub-factor scores in columns that
`score_slot` assigns to keys (storage/scores.py). A group's figures are the averages of the
slot columns; the `present` bits say which keys the group's assessments have results for, so
that a key with a result but no score is reported (as no figure) and a key with no result is
left out, exactly as the long-form statement reports them.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass
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
from storage.stats.figures import GroupStats, SubFactorFigures
from storage.stats.suppression import is_suppressed

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


def _present(session: AsyncSession, column: ColumnElement[int]) -> ColumnElement[Any]:
    """Whichever results any assessment of the group has: the OR of their `present` bits."""
    if session.get_bind().dialect.name == "postgresql":
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


def wide_statement(
    session: AsyncSession, scoped: CTE, keys: Sequence[ColumnElement[Any]], layout: Layout
) -> Select[Any]:
    """A row per group: counts, readiness, presence bits and every slot's averages."""
    score = AssessmentScore.c
    averages: list[ColumnElement[Any]] = [
        cast(func.avg(score[factor_column(slot)]), Float) for _, slot in layout.factors
    ]
    for _, slot in layout.subfactors:
        averages.append(cast(func.avg(score[subfactor_column(slot)]), Float))
        averages.append(cast(func.avg(score[driver_column(slot)]), Float))
    return (
        select(
            *keys,
            func.count().label("n"),
            func.count(distinct(scoped.c.respondent_id)).label("respondents"),
            cast(func.avg(scoped.c.readiness_index), Float).label("readiness"),
            _present(session, score.present).label("present"),
            *averages,
        )
        # Outer: a completed assessment without results counts, as in the long form.
        .select_from(scoped.outerjoin(AssessmentScore, score.assessment_id == scoped.c.id))
        .group_by(*keys)
        .order_by(*keys)
    )


def wide_group(row: Row[Any], width: int, layout: Layout, k: int) -> GroupStats:
    key = tuple(row[:width])
    n, respondents, readiness, present = row[width : width + 4]
    if is_suppressed(assessments=n, respondents=respondents, k=k):
        return GroupStats(key=key, suppressed=True)
    present = _union(present)
    values = iter(row[width + 4 :])
    factors: dict[str, float | None] = {}
    for factor, slot in layout.factors:
        mean = next(values)
        if present >> (SUBFACTOR_SLOTS + slot) & 1:
            factors[factor] = mean
    subfactors: dict[str, SubFactorFigures] = {}
    for subfactor, slot in layout.subfactors:
        mean, share = next(values), next(values)
        if present >> slot & 1:
            subfactors[subfactor] = SubFactorFigures(mean, share)
    return GroupStats(
        key=key,
        suppressed=False,
        n=n,
        readiness=readiness,
        factors=MappingProxyType(factors),
        subfactors=MappingProxyType(subfactors),
    )


async def get_layout(session: AsyncSession) -> Layout | None:
    """The wide row's layout; None when some key has no column there."""
    slots = await get_score_slots(session=session)
    return Layout.of(slots) if slots.fit else None


async def wide_groups(
    rows: AsyncIterator[Row[Any]], width: int, layout: Layout, k: int
) -> AsyncGenerator[GroupStats, None]:
    """Each group of the wide statement's rows (one row a group), in order."""
    async for row in rows:
        yield wide_group(row, width, layout, k)
