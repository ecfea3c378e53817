"""Grouped readiness statistics over completed assessments, aggregated in one SQL statement.

A group with fewer than k assessments, or fewer than k distinct respondents, is suppressed: it
is still listed (its key only), with no count and no figures. So is a group that would give a
suppressed one away by subtraction (complementary suppression, planned in suppression.py from
one count per group, read before the figures).

The statement reads each assessment's wide score row (`assessment_score`): one row per
assessment, one GROUP BY. When a key has no column there (more keys than slots, after many KB
revisions), it reads the long-form result rows instead, with the same figures, more slowly.

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
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Float,
    Integer,
    Row,
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

from storage.models import (
    SUBFACTOR_SLOTS,
    Assessment,
    AssessmentScore,
    AssessmentStatus,
    FactorResult,
    SubFactorResult,
    driver_column,
    factor_column,
    subfactor_column,
)
from storage.scores import ScoreSlots, get_score_slots
from storage.stats.dimensions import Dimension, dimension_expression
from storage.stats.suppression import Cell, GroupKey, is_suppressed, plan_suppression

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
# Rows fetched per step: a long-form row is a few values, a wide one (a group) about forty.
_LONG_BATCH = 1000
_WIDE_BATCH = 200
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


def _long_statement(scoped: CTE, width: int) -> Select[Any]:
    """The fallback: a row per group, per (group, factor) and per (group, sub-factor)."""
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


@dataclass(frozen=True, slots=True)
class _Layout:
    """Which columns of the wide row to average, in statement order, and for which keys."""

    factors: tuple[tuple[str, int], ...]
    subfactors: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, slots: ScoreSlots) -> _Layout:
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


def _wide_statement(session: AsyncSession, scoped: CTE, width: int, layout: _Layout) -> Select[Any]:
    """A row per group: counts, readiness, presence bits and every slot's averages."""
    keys = _keys(scoped, width)
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


def _wide_group(row: Row[Any], width: int, layout: _Layout, k: int) -> GroupStats:
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


async def _layout(session: AsyncSession) -> _Layout | None:
    """The wide row's layout; None when some key has no column there."""
    slots = await get_score_slots(session=session)
    return _Layout.of(slots) if slots.fit else None


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
    plan = await _plan(session, scoped, width, k)
    layout = await _layout(session)
    statement = (
        _long_statement(scoped, width)
        if layout is None
        else _wide_statement(session, scoped, width, layout)
    )
    batch_size = _LONG_BATCH if layout is None else _WIDE_BATCH
    result = await session.stream(statement.execution_options(yield_per=batch_size))
    groups = 0
    try:
        # A batch at a time: each step of an async result crosses into the driver's thread.
        if layout is not None:
            async for batch in result.partitions(batch_size):
                for row in batch:
                    groups += 1
                    yield _hide(_wide_group(row, width, layout, k), plan)
        else:
            current: _Builder | None = None
            async for batch in result.partitions(batch_size):
                for row in batch:
                    key = tuple(row[:width])
                    if current is None or key != current.key:
                        if current is not None:
                            groups += 1
                            yield _hide(current.build(k), plan)
                        current = _Builder(key)
                    current.add(*row[width:])
            if current is not None:
                groups += 1
                yield _hide(current.build(k), plan)
    finally:
        # Also when the caller stops early: the server-side cursor must not outlive it.
        await result.close()
    if not groups and not by:
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
    layout = await _layout(session)
    if layout is not None:
        # One statement, reading only the factor columns of the wide row.
        factors = replace(layout, subfactors=())
        statement = _wide_statement(session, scoped, 0, factors)
        group = _wide_group((await session.execute(statement)).one(), 0, factors, k)
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
