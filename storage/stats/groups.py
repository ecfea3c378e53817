"""Grouped readiness statistics over completed assessments, aggregated in one SQL statement.

A group with fewer than k assessments, or fewer than k distinct respondents, is suppressed: it
is still listed (its key only), with no count and no figures. So is a group that would give a
suppressed one away by subtraction (complementary suppression, planned in suppression.py from
one count per group, read before the figures).

The statement reads each assessment's wide score row (wide.py): one row per assessment, one
GROUP BY. When a key has no column there (more keys than slots, after many KB revisions), it
reads the long-form result rows instead (long_form.py), with the same figures, more slowly.

The slots, the group sizes and the figures are three statements. An export that runs while
another assessment completes may count it in one and not another. Suppression stays safe: a
group hidden by the sizes stays hidden, and a group the sizes did not see (its first assessment
came in between) is hidden too. When that completion was the first ever to carry a new key (a
KB revision's new sub-factor), that key's figures, over that single assessment, are left out
of this one export.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import CTE, ColumnElement, Float, Row, cast, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncResult, AsyncSession
from sqlmodel import col

from storage.models import Assessment, AssessmentStatus, FactorResult
from storage.stats.dimensions import Dimension, dimension_expression
from storage.stats.figures import GroupStats, SubFactorFigures
from storage.stats.long_form import LONG_BATCH, long_groups, long_statement
from storage.stats.suppression import Cell, GroupKey, is_suppressed, plan_suppression
from storage.stats.wide import WIDE_BATCH, get_layout, wide_group, wide_groups, wide_statement

__all__ = [
    "GroupStats",
    "SubFactorFigures",
    "count_stat_groups",
    "get_group_stats",
    "get_peer_factor_means",
    "is_suppressed",
    "stream_group_stats",
]


def _scope(
    session: AsyncSession, by: Sequence[Dimension], where: Mapping[Dimension, str] | None
) -> CTE:
    """The completed assessments in scope, each with its group key (k0, k1) computed once."""
    dialect = session.get_bind().dialect.name
    conditions = [col(Assessment.status) == AssessmentStatus.COMPLETED.value]
    for dimension, value in (where or {}).items():
        conditions.append(dimension_expression(dimension, dialect) == value)
    scoped = select(
        col(Assessment.id).label("id"),
        col(Assessment.respondent_id).label("respondent_id"),
        col(Assessment.readiness_index).label("readiness_index"),
        *(dimension_expression(d, dialect).label(f"k{i}") for i, d in enumerate(by)),
    ).where(*conditions)
    # Materialised, the key (a month is a date function) is computed once per assessment,
    # not once per result row of every join below.
    return scoped.cte("scoped").prefix_with("MATERIALIZED")


def _keys(scoped: CTE, width: int) -> list[ColumnElement[Any]]:
    return [scoped.c[f"k{i}"] for i in range(width)]


@dataclass(frozen=True, slots=True)
class _Plan:
    """The groups seen when sizes were counted, and those of them to hide."""

    seen: frozenset[GroupKey]
    hidden: frozenset[GroupKey]

    def apply(self, group: GroupStats) -> GroupStats:
        """`group`, or its key alone when the plan hides it or never saw it."""
        if group.suppressed or (group.key in self.seen and group.key not in self.hidden):
            return group
        return GroupStats(key=group.key, suppressed=True)


async def _plan(session: AsyncSession, scoped: CTE, width: int, k: int) -> _Plan | None:
    """Which groups to hide: small ones and those that would give one away (suppression.py).

    One GROUP BY over the assessments in scope (no result rows), before the figures are read;
    it holds a few numbers per group, never per assessment. None for the ungrouped population
    (one group, no margin to subtract it from).
    """
    if width == 0:
        return None
    keys = _keys(scoped, width)
    sizes = select(*keys, func.count(), func.count(distinct(scoped.c.respondent_id))).group_by(
        *keys
    )
    cells = [
        Cell(key=tuple(row[:width]), assessments=row[width], respondents=row[width + 1])
        for row in await session.execute(sizes)
    ]
    return _Plan(frozenset(c.key for c in cells), plan_suppression(cells, k=k))


def _hide(group: GroupStats, plan: _Plan | None) -> GroupStats:
    return group if plan is None else plan.apply(group)


async def _rows(result: AsyncResult[Any], batch: int) -> AsyncGenerator[Row[Any], None]:
    # A batch at a time: each step of an async result crosses into the driver's thread.
    async for rows in result.partitions(batch):
        for row in rows:
            yield row


async def stream_group_stats(
    *,
    session: AsyncSession,
    by: Sequence[Dimension],
    k: int,
    where: Mapping[Dimension, str] | None = None,
) -> AsyncGenerator[GroupStats, None]:
    """Each group of completed assessments (optionally only those `where` matches), in order.

    Rows stream from a server-side cursor, so memory stays flat however many assessments
    there are. A group is suppressed when it is small, or when it would let a small one be
    worked out by subtraction from a published total (complementary suppression).
    """
    width = len(by)
    scoped = _scope(session, by, where)
    keys = _keys(scoped, width)
    plan = await _plan(session, scoped, width, k)
    layout = await get_layout(session)
    if layout is None:
        statement, batch = long_statement(scoped, keys), LONG_BATCH
    else:
        statement, batch = wide_statement(session, scoped, keys, layout), WIDE_BATCH
    result = await session.stream(statement.execution_options(yield_per=batch))
    count = 0
    try:
        rows = _rows(result, batch)
        groups = (
            long_groups(rows, width, k) if layout is None else wide_groups(rows, width, layout, k)
        )
        async with aclosing(rows), aclosing(groups):
            async for group in groups:
                count += 1
                yield _hide(group, plan)
    finally:
        # Also when the caller stops early: the server-side cursor must not outlive it.
        await result.close()
    if not count and not by:
        # Nothing completed yet: the whole population is one (suppressed) empty group.
        yield GroupStats(key=(), suppressed=True)


async def get_group_stats(
    *, session: AsyncSession, k: int, where: Mapping[Dimension, str] | None = None
) -> GroupStats:
    """All completed assessments (those `where` matches) as one group."""
    async with aclosing(stream_group_stats(session=session, by=(), k=k, where=where)) as groups:
        async for group in groups:
            return group
    raise AssertionError("an ungrouped query always yields one group")


async def count_stat_groups(
    *, session: AsyncSession, by: Sequence[Dimension], where: Mapping[Dimension, str] | None = None
) -> int:
    """How many groups `stream_group_stats` will yield (for progress bars)."""
    if not by:
        return 1
    scoped = _scope(session, by, where)
    keys = _keys(scoped, len(by))
    groups = select(*keys).group_by(*keys).subquery()
    return int(await session.scalar(select(func.count()).select_from(groups)) or 0)


async def get_peer_factor_means(
    *, session: AsyncSession, sector: str | None, k: int
) -> dict[str, float] | None:
    """Each factor's mean over the sector's completed assessments; None under k of them.

    Lighter than `get_group_stats`: it reads factor results only (it runs for every results
    screen).
    """
    if not sector:
        return None
    scoped = _scope(session, (), {Dimension.SECTOR: sector})
    layout = await get_layout(session)
    if layout is not None:
        # One statement, reading only the factor columns of the wide row.
        factors = replace(layout, subfactors=())
        statement = wide_statement(session, scoped, [], factors)
        group = wide_group((await session.execute(statement)).one(), 0, factors, k)
        if group.suppressed:
            return None
        return {key: mean for key, mean in group.factors.items() if mean is not None}
    size = await session.execute(select(func.count(), func.count(distinct(scoped.c.respondent_id))))
    assessments, respondents = size.one()
    if is_suppressed(assessments=assessments, respondents=respondents, k=k):
        return None
    means = await session.execute(
        select(col(FactorResult.factor_key), cast(func.avg(col(FactorResult.score)), Float))
        .join_from(scoped, FactorResult, col(FactorResult.assessment_id) == scoped.c.id)
        .group_by(col(FactorResult.factor_key))
    )
    return {key: mean for key, mean in means.tuples() if mean is not None}
