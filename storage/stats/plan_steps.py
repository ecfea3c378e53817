"""What blocks agencies: committed plan steps by status and blocking reason, through disclosure.

A cell is a set of committed steps: those of one step (or one sub-factor's steps), in one group
of a dimension (sector, region, or the month the step was committed), or in all of them. Its
key is the sum of the record keys of the assessments the steps belong to, so the same steps
give the same noise in every table (disclosure.py, docs/privacy.md). A cell with fewer than k
assessments or k people is neither published nor listed. Published:

- `steps`, the committed steps, a perturbed count;
- `done`, `in_progress`, `blocked`: shares in [0, 1], each (count + e) / steps, e keyed by the
  cell of the steps with that status, so one step changing its status moves the share by fresh
  noise, not by exactly 1/steps;
- per blocking reason (the KB keys only; the free-text notes are never read here), the blocked
  steps naming it, a perturbed count, not listed under k.

The figure names do not say which step, sub-factor or table a cell came from: the same records
(the same cell key) give the same count wherever they are published, so asking for one cell in
two ways (a sub-factor with one step, a step of which everyone in a sector committed) gives
two equal numbers to average, not two draws. Counts share the name "n" with the assessment
statistics for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Assessment
from storage.plans import PlanStep, StepStatus
from storage.stats.dimensions import Dimension, dimension_expression, month_expression
from storage.stats.disclosure import SHARE_BOUND, cell_key, get_noise, is_suppressed

__all__ = [
    "PLAN_DIMENSIONS",
    "SHARED_STATUSES",
    "BlockerCount",
    "Blockers",
    "PlanScope",
    "StepShares",
    "blocker_counts",
    "get_blockers",
    "step_shares",
]

#: The groupings of plan statistics (the month is the month a step was committed).
PLAN_DIMENSIONS = (Dimension.SECTOR, Dimension.REGION, Dimension.MONTH)
#: The statuses whose shares are published.
SHARED_STATUSES = (StepStatus.DONE, StepStatus.IN_PROGRESS, StepStatus.BLOCKED)


class PlanScope(StrEnum):
    """What a row is about: one plan step, or all committed steps of one sub-factor."""

    STEP = "step"
    SUBFACTOR = "subfactor"


@dataclass(frozen=True)
class StepShares:
    """One published cell: a step (or sub-factor) in one group; None is the whole population."""

    scope: PlanScope
    key: str
    subfactor_key: str
    group: str | None
    steps: int
    done: float | None
    in_progress: float | None
    blocked: float | None


@dataclass(frozen=True)
class BlockerCount:
    """Blocked steps that name one reason, of one sub-factor (None: all) in one group."""

    subfactor_key: str | None
    group: str | None
    reason: str
    steps: int


def _groups(by: Dimension | None, session: AsyncSession) -> list[ColumnElement[Any]]:
    """The group column of `by` (none for the whole population)."""
    if by is None:
        return []
    if by not in PLAN_DIMENSIONS:
        raise ValueError(f"plan statistics group by one of {[d.value for d in PLAN_DIMENSIONS]}")
    dialect = session.get_bind().dialect.name
    if by is Dimension.MONTH:
        committed = PlanStep.__table__.c.committed_at  # type: ignore[attr-defined]
        return [month_expression(committed, dialect).label("g")]
    return [dimension_expression(by, dialect).label("g")]


async def step_shares(
    *, session: AsyncSession, k: int, scope: PlanScope, by: Dimension | None = None
) -> list[StepShares]:
    """Per step (or sub-factor) and group of `by`: the published count and status shares."""
    noise = await get_noise(session)
    groups = _groups(by, session)
    record_key = col(Assessment.record_key)
    is_step = scope is PlanScope.STEP
    key_column = col(PlanStep.step_id) if is_step else col(PlanStep.subfactor_key)
    statuses = [col(PlanStep.status) == status.value for status in SHARED_STATUSES]
    statement = (
        select(
            key_column.label("key"),
            func.min(col(PlanStep.subfactor_key)).label("subfactor"),
            func.count().label("steps"),
            func.count(distinct(col(PlanStep.assessment_id))),
            func.count(distinct(col(PlanStep.respondent_id))),
            cell_key(record_key),
            *(func.sum(case((where, 1), else_=0)) for where in statuses),
            *(cell_key(record_key, where) for where in statuses),
            *groups,
        )
        .join(Assessment, col(Assessment.id) == col(PlanStep.assessment_id))
        .group_by(key_column, *groups)
        .order_by(key_column, *groups)
    )
    published = []
    for row in await session.execute(statement):
        key, subfactor_key, steps, assessments, respondents, whole = row[:6]
        counts, keys = row[6:9], row[9:12]
        value = row[12] if groups else None
        if is_suppressed(assessments=assessments, respondents=respondents, k=k):
            continue
        count = noise.count(steps, whole, k, respondents=respondents)
        if count is None:
            continue
        shares = [
            noise.mean(n, steps, cell, k, name=f"plan.{status.value}", bound=SHARE_BOUND)
            for status, n, cell in zip(SHARED_STATUSES, counts, keys, strict=True)
        ]
        published.append(
            StepShares(scope, key, subfactor_key if is_step else key, value, count, *shares)
        )
    return published


async def blocker_counts(
    *, session: AsyncSession, k: int, by: Dimension | None = None, per_subfactor: bool = False
) -> list[BlockerCount]:
    """Per group of `by` (and sub-factor), the blocked steps naming each KB reason."""
    noise = await get_noise(session)
    keys: list[Any] = [col(PlanStep.subfactor_key)] if per_subfactor else []
    keys += _groups(by, session)
    statement = (
        select(
            col(PlanStep.blocked_reason),
            func.count(),
            func.count(distinct(col(PlanStep.assessment_id))),
            func.count(distinct(col(PlanStep.respondent_id))),
            cell_key(col(Assessment.record_key)),
            *keys,
        )
        .join(Assessment, col(Assessment.id) == col(PlanStep.assessment_id))
        .where(
            col(PlanStep.status) == StepStatus.BLOCKED.value,
            col(PlanStep.blocked_reason).is_not(None),
        )
        .group_by(*keys, col(PlanStep.blocked_reason))
        .order_by(*keys, col(PlanStep.blocked_reason))
    )
    published = []
    for row in await session.execute(statement):
        reason, steps, assessments, respondents, key = row[:5]
        subfactor_key = row[5] if per_subfactor else None
        value = row[-1] if by is not None else None
        if is_suppressed(assessments=assessments, respondents=respondents, k=k):
            continue
        count = noise.count(steps, key, k, respondents=respondents)
        if count is not None:
            published.append(BlockerCount(subfactor_key, value, reason, count))
    return published


@dataclass(frozen=True)
class Blockers:
    """Every published plan figure of one grouping (`by` None: the whole population)."""

    by: Dimension | None
    steps: list[StepShares]
    subfactors: list[StepShares]
    reasons: list[BlockerCount]
    subfactor_reasons: list[BlockerCount]


async def get_blockers(*, session: AsyncSession, k: int, by: Dimension | None = None) -> Blockers:
    """Shares per step and sub-factor, and reasons overall and per sub-factor, grouped by `by`."""
    return Blockers(
        by,
        await step_shares(session=session, k=k, scope=PlanScope.STEP, by=by),
        await step_shares(session=session, k=k, scope=PlanScope.SUBFACTOR, by=by),
        await blocker_counts(session=session, k=k, by=by),
        await blocker_counts(session=session, k=k, by=by, per_subfactor=True),
    )
