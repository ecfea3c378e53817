"""Grouped readiness statistics over completed assessments, aggregated in one SQL statement.

A group with fewer than k assessments, or fewer than k distinct respondents, is suppressed: it
is still listed (its key only), with no count and no figures.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Float,
    Integer,
    Select,
    String,
    case,
    cast,
    distinct,
    func,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Assessment, AssessmentStatus, FactorResult, SubFactorResult
from storage.stats.dimensions import Dimension, dimension_expression

__all__ = [
    "GroupStats",
    "SubFactorFigures",
    "count_stat_groups",
    "get_group_stats",
    "get_peer_factor_means",
    "is_suppressed",
    "stream_group_stats",
]

_GROUP, _FACTOR, _SUBFACTOR = 0, 1, 2
_BATCH = 1000
_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class SubFactorFigures:
    """A sub-factor in a group: mean score, and the share of assessments where it is a driver.

    Both are over the assessments where the sub-factor was scored ("don't know" to every
    question of it leaves it unscored).
    """

    mean: float | None
    driver_share: float | None


@dataclass(frozen=True, slots=True)
class GroupStats:
    """One group's figures; a suppressed group carries its key and nothing else."""

    key: tuple[str | None, ...]
    suppressed: bool
    n: int | None = None
    readiness: float | None = None
    factors: Mapping[str, float | None] = field(default_factory=lambda: _EMPTY)
    subfactors: Mapping[str, SubFactorFigures] = field(default_factory=lambda: _EMPTY)


def is_suppressed(*, assessments: int, respondents: int, k: int) -> bool:
    """Whether a group is too small to show: fewer than k assessments or k respondents."""
    return assessments < k or respondents < k


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


def _statement(scoped: CTE, width: int) -> Select[Any]:
    keys = _keys(scoped, width)
    no_int, no_float = cast(null(), Integer), cast(null(), Float)
    groups = select(
        *keys,
        literal_column(str(_GROUP)).label("kind"),
        cast(null(), String).label("metric"),
        func.count().label("n"),
        func.count(distinct(scoped.c.respondent_id)).label("respondents"),
        cast(func.avg(scoped.c.readiness_index), Float).label("value"),
        no_float.label("share"),
    ).group_by(*keys)
    factors = (
        select(
            *keys,
            literal_column(str(_FACTOR)),
            col(FactorResult.factor_key),
            no_int,
            no_int,
            cast(func.avg(col(FactorResult.score)), Float),
            no_float,
        )
        .join_from(scoped, FactorResult, col(FactorResult.assessment_id) == scoped.c.id)
        .group_by(*keys, col(FactorResult.factor_key))
    )
    effect = col(SubFactorResult.effect)
    driver = case((effect == "driver", 1.0), (effect.is_not(None), 0.0))
    subfactors = (
        select(
            *keys,
            literal_column(str(_SUBFACTOR)),
            col(SubFactorResult.subfactor_key),
            no_int,
            no_int,
            cast(func.avg(col(SubFactorResult.score)), Float),
            cast(func.avg(driver), Float),
        )
        .join_from(scoped, SubFactorResult, col(SubFactorResult.assessment_id) == scoped.c.id)
        .group_by(*keys, col(SubFactorResult.subfactor_key))
    )
    order: list[ColumnElement[Any]] = [literal_column(f"k{i}") for i in range(width)]
    statement = union_all(groups, factors, subfactors).order_by(*order, literal_column("kind"))
    return statement  # type: ignore[return-value]


class _Builder:
    """Collects one group's rows as they stream past (the rows of a group are adjacent)."""

    def __init__(self, key: tuple[str | None, ...]) -> None:
        self.key = key
        self.n = 0
        self.respondents = 0
        self.readiness: float | None = None
        self.factors: dict[str, float | None] = {}
        self.subfactors: dict[str, SubFactorFigures] = {}

    def add(
        self,
        kind: int,
        metric: str | None,
        n: int | None,
        respondents: int | None,
        value: float | None,
        share: float | None,
    ) -> None:
        if kind == _GROUP:
            self.n, self.respondents, self.readiness = n or 0, respondents or 0, value
        elif kind == _FACTOR:
            assert metric is not None
            self.factors[metric] = value
        else:
            assert metric is not None
            self.subfactors[metric] = SubFactorFigures(value, share)

    def build(self, k: int) -> GroupStats:
        if is_suppressed(assessments=self.n, respondents=self.respondents, k=k):
            return GroupStats(key=self.key, suppressed=True)
        return GroupStats(
            key=self.key,
            suppressed=False,
            n=self.n,
            readiness=self.readiness,
            factors=MappingProxyType(self.factors),
            subfactors=MappingProxyType(self.subfactors),
        )


async def stream_group_stats(
    *,
    session: AsyncSession,
    by: Sequence[Dimension],
    k: int,
    where: Mapping[Dimension, str] | None = None,
) -> AsyncGenerator[GroupStats, None]:
    """Each group of completed assessments (optionally only those `where` matches), in order.

    Rows stream from a server-side cursor, so memory stays flat however many groups there are.
    """
    width = len(by)
    statement = _statement(_scope(session, by, where), width)
    result = await session.stream(statement.execution_options(yield_per=_BATCH))
    current: _Builder | None = None
    try:
        # A batch at a time: each step of an async result crosses into the driver's thread.
        async for batch in result.partitions(_BATCH):
            for row in batch:
                key = tuple(row[:width])
                if current is None or key != current.key:
                    if current is not None:
                        yield current.build(k)
                    current = _Builder(key)
                current.add(*row[width:])
    finally:
        # Also when the caller stops early: the server-side cursor must not outlive it.
        await result.close()
    if current is not None:
        yield current.build(k)
    elif not by:
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
