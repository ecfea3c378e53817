"""Grouped readiness statistics over completed assessments, aggregated in one SQL statement.

A group with fewer than k assessments, or fewer than k distinct respondents, is not published,
and its key is not listed either: a grouping's output holds only the groups that pass. The
whole population (no grouping) is the one exception: it is always one group, suppressed while
it is small. Every count and mean of a published group carries the noise its cell key gives it
(disclosure.py), so that differences of overlapping groups, from any exports, stay noisy.

The statement reads each assessment's wide score row (wide.py): one row per assessment, one
GROUP BY. When a key has no column there (more keys than slots, after many KB revisions), it
reads the long-form result rows instead (long_form.py), with the same figures, more slowly.
The slots and the figures are two statements: when an assessment that was the first ever to
carry a new key (a KB revision's new sub-factor) completes in between, that key's figures are
left out of this one export.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from contextlib import aclosing
from dataclasses import replace
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    Row,
    Select,
    bindparam,
    distinct,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncResult, AsyncSession
from sqlmodel import col

from storage.models import Assessment, AssessmentStatus, status_is
from storage.stats.dimensions import Dimension, dimension_expression
from storage.stats.disclosure import get_noise, is_suppressed
from storage.stats.figures import GroupStats, SubFactorFigures
from storage.stats.long_form import LONG_BATCH, long_groups, long_statement
from storage.stats.wide import (
    WIDE_BATCH,
    Layout,
    get_layout,
    wide_group,
    wide_groups,
    wide_statement,
)

__all__ = [
    "GroupStats",
    "SubFactorFigures",
    "count_stat_groups",
    "get_group_stats",
    "get_peer_factor_means",
    "is_suppressed",
    "stream_group_stats",
]


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _scope(
    dialect: str,
    by: Sequence[Dimension],
    where: Mapping[Dimension, str | BindParameter[str]] | None,
) -> CTE:
    """The completed assessments in scope, each with its group key (k0, k1) computed once."""
    conditions = [status_is(AssessmentStatus.COMPLETED)]
    for dimension, value in (where or {}).items():
        conditions.append(dimension_expression(dimension, dialect) == value)
    scoped = select(
        col(Assessment.id).label("id"),
        col(Assessment.respondent_id).label("respondent_id"),
        col(Assessment.record_key).label("record_key"),
        col(Assessment.readiness_index).label("readiness_index"),
        *(dimension_expression(d, dialect).label(f"k{i}") for i, d in enumerate(by)),
    ).where(*conditions)
    # Materialised, the key (a month is a date function) is computed once per assessment,
    # not once per result row of every join below.
    return scoped.cte("scoped").prefix_with("MATERIALIZED")


def _keys(scoped: CTE, width: int) -> list[ColumnElement[Any]]:
    return [scoped.c[f"k{i}"] for i in range(width)]


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
    """Each published group of completed assessments (those `where` matches), in order.

    Rows stream from a server-side cursor, so memory stays flat however many assessments
    there are. A group under k assessments or k people is left out (ungrouped: one
    suppressed group); the figures of the others are perturbed (disclosure.py).
    """
    width = len(by)
    dialect = _dialect(session)
    scoped = _scope(dialect, by, where)
    keys = _keys(scoped, width)
    layout = await get_layout(session)
    noise = await get_noise(session)
    if layout is None:
        statement, batch = long_statement(scoped, keys), LONG_BATCH
    else:
        statement, batch = wide_statement(dialect, scoped, keys, layout), WIDE_BATCH
    result = await session.stream(statement.execution_options(yield_per=batch))
    count = 0
    try:
        rows = _rows(result, batch)
        groups = (
            long_groups(rows, width, k, noise)
            if layout is None
            else wide_groups(rows, width, layout, k, noise)
        )
        async with aclosing(rows), aclosing(groups):
            async for group in groups:
                count += 1
                if by and group.suppressed:
                    continue  # not even its key: it would say where the small groups are
                yield group
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
    *,
    session: AsyncSession,
    by: Sequence[Dimension],
    k: int,
    where: Mapping[Dimension, str] | None = None,
) -> int:
    """How many groups `stream_group_stats` will yield (for progress bars)."""
    if not by:
        return 1
    scoped = _scope(_dialect(session), by, where)
    keys = _keys(scoped, len(by))
    groups = (
        select(*keys)
        .group_by(*keys)
        .having(func.count() >= k, func.count(distinct(scoped.c.respondent_id)) >= k)
        .subquery()
    )
    return int(await session.scalar(select(func.count()).select_from(groups)) or 0)


async def get_peer_factor_means(
    *, session: AsyncSession, sector: str | None, k: int
) -> dict[str, float] | None:
    """Each factor's published mean over the sector's completed assessments; None under k.

    The same figures as the sector's group in an export by sector (the same cell, the same
    noise), read more lightly on the wide path: factor columns only (it runs for every
    results screen).
    """
    if not sector:
        return None
    layout = await get_layout(session)
    if layout is not None:
        factors = replace(layout, subfactors=())
        statement = _peer_statement(_dialect(session), factors)
        noise = await get_noise(session)
        row = (await session.execute(statement, {"sector": sector})).one()
        group = wide_group(row, 0, factors, k, noise)
    else:
        group = await get_group_stats(session=session, k=k, where={Dimension.SECTOR: sector})
    if group.suppressed:
        return None
    return {key: mean for key, mean in group.factors.items() if mean is not None}


@lru_cache(maxsize=32)
def _peer_statement(dialect: str, factors: Layout) -> Select[Any]:
    """The sector's row of factor sums, with the sector as parameter `sector`: built once per
    dialect and layout (building it took a millisecond, for every results screen)."""
    scoped = _scope(dialect, (), {Dimension.SECTOR: bindparam("sector")})
    return wide_statement(dialect, scoped, [], factors)
