"""The fallback: statistics from the long-form result rows, one per assessment and key.

Used when some factor or sub-factor key has no column in the wide score row (more keys than
columns over the KB's history). One `UNION ALL` of three GROUP BYs: a row per group, per
(group, factor) and per (group, sub-factor), ordered so that a group's rows are adjacent. The
figures equal the wide path's; only slower (SQLite sorts every result row).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Sequence
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
from sqlmodel import col

from storage.models import FactorResult, SubFactorResult
from storage.stats.disclosure import SCORE_BOUND, SHARE_BOUND, Noise, cell_key, is_suppressed
from storage.stats.figures import GroupStats, SubFactorFigures

__all__ = ["LONG_BATCH", "long_groups", "long_statement"]

_GROUP, _FACTOR, _SUBFACTOR = 0, 1, 2
#: Rows fetched per step (a long-form row is a few values).
LONG_BATCH = 1000


def long_statement(scoped: CTE, keys: Sequence[ColumnElement[Any]]) -> Select[Any]:
    """The fallback: a row per group, per (group, factor) and per (group, sub-factor).

    Each row: counts (group rows only), a cell key, a sum and how many values it adds up, and
    for sub-factors the number of drivers; disclosure.py makes the published figures.
    """
    no_int, no_float = cast(null(), Integer), cast(null(), Float)
    record_key = scoped.c.record_key
    groups = select(
        *keys,
        literal_column(str(_GROUP)).label("kind"),
        cast(null(), String).label("metric"),
        func.count().label("n"),
        func.count(distinct(scoped.c.respondent_id)).label("respondents"),
        cell_key(record_key).label("cell_key"),
        cast(func.sum(scoped.c.readiness_index), Float).label("total"),
        func.count(scoped.c.readiness_index).label("contributors"),
        no_float.label("drivers"),
    ).group_by(*keys)
    factor_score = col(FactorResult.score)
    factors = (
        select(
            *keys,
            literal_column(str(_FACTOR)),
            col(FactorResult.factor_key),
            no_int,
            no_int,
            cell_key(record_key, factor_score.is_not(None)),
            cast(func.sum(factor_score), Float),
            func.count(factor_score),
            no_float,
        )
        .join_from(scoped, FactorResult, col(FactorResult.assessment_id) == scoped.c.id)
        .group_by(*keys, col(FactorResult.factor_key))
    )
    effect, subfactor_score = col(SubFactorResult.effect), col(SubFactorResult.score)
    driver = case((effect == "driver", 1.0), (effect.is_not(None), 0.0))
    subfactors = (
        select(
            *keys,
            literal_column(str(_SUBFACTOR)),
            col(SubFactorResult.subfactor_key),
            no_int,
            no_int,
            cell_key(record_key, subfactor_score.is_not(None)),
            cast(func.sum(subfactor_score), Float),
            func.count(subfactor_score),
            cast(func.sum(driver), Float),
        )
        .join_from(scoped, SubFactorResult, col(SubFactorResult.assessment_id) == scoped.c.id)
        .group_by(*keys, col(SubFactorResult.subfactor_key))
    )
    order: list[ColumnElement[Any]] = [literal_column(f"k{i}") for i in range(len(keys))]
    statement = union_all(groups, factors, subfactors).order_by(*order, literal_column("kind"))
    return statement  # type: ignore[return-value]


class _Builder:
    """Collects one group's rows as they stream past (the rows of a group are adjacent)."""

    def __init__(self, key: tuple[str | None, ...], k: int, noise: Noise) -> None:
        self.key, self.k, self.noise = key, k, noise
        self.n = 0
        self.cell_key = 0
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
        key: int,
        total: float | None,
        contributors: int,
        drivers: float | None,
    ) -> None:
        k, noise = self.k, self.noise
        if kind == _GROUP:
            self.n, self.respondents, self.cell_key = n or 0, respondents or 0, key
            self.readiness = noise.mean(
                total, contributors, key, k, name="readiness", bound=SCORE_BOUND
            )
        elif kind == _FACTOR:
            assert metric is not None
            self.factors[metric] = noise.mean(
                total, contributors, key, k, name=f"factor.{metric}", bound=SCORE_BOUND
            )
        else:
            assert metric is not None
            self.subfactors[metric] = SubFactorFigures(
                noise.mean(total, contributors, key, k, name=f"mean.{metric}", bound=SCORE_BOUND),
                noise.mean(
                    drivers, contributors, key, k, name=f"driver.{metric}", bound=SHARE_BOUND
                ),
            )

    def build(self) -> GroupStats:
        if is_suppressed(assessments=self.n, respondents=self.respondents, k=self.k):
            return GroupStats(key=self.key, suppressed=True)
        return GroupStats(
            key=self.key,
            suppressed=False,
            n=self.noise.count(self.n, self.cell_key, self.k),
            readiness=self.readiness,
            factors=MappingProxyType(self.factors),
            subfactors=MappingProxyType(self.subfactors),
        )


async def long_groups(
    rows: AsyncIterator[Row[Any]], width: int, k: int, noise: Noise
) -> AsyncGenerator[GroupStats, None]:
    """Each group of the long statement's rows, in order (its rows are adjacent)."""
    current: _Builder | None = None
    async for row in rows:
        key = tuple(row[:width])
        if current is None or key != current.key:
            if current is not None:
                yield current.build()
            current = _Builder(key, k, noise)
        current.add(*row[width:])
    if current is not None:
        yield current.build()
