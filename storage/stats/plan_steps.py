"""What blocks agencies: committed plan steps by status and blocking reason, per sector.

Counts of fewer than k people are hidden (storage.stats.suppression); the free-text notes of
blocked steps are never read here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Assessment
from storage.plans import PlanStep, StepStatus
from storage.stats.disclosure import is_suppressed

__all__ = ["BlockerCount", "StepTally", "blocker_counts", "step_tallies"]


@dataclass(frozen=True)
class StepTally:
    """Committed steps of one step id and sector, by status; `suppressed` below k people."""

    step_id: str
    subfactor_key: str
    sector: str | None
    respondents: int
    statuses: dict[str, int]
    suppressed: bool


@dataclass(frozen=True)
class BlockerCount:
    """How many blocked steps of a sector name one reason; `suppressed` below k people."""

    sector: str | None
    reason: str
    steps: int
    respondents: int
    suppressed: bool


async def step_tallies(*, session: AsyncSession, k: int) -> list[StepTally]:
    """Per step and sector, the committed steps by status (counts hidden below k people)."""
    respondents = func.count(func.distinct(PlanStep.respondent_id))
    people = await session.execute(
        select_columns(
            col(PlanStep.step_id), col(PlanStep.subfactor_key), col(Assessment.sector), respondents
        )
        .join(Assessment, col(Assessment.id) == col(PlanStep.assessment_id))
        .group_by(col(PlanStep.step_id), col(PlanStep.subfactor_key), col(Assessment.sector))
        .order_by(col(PlanStep.subfactor_key), col(PlanStep.step_id), col(Assessment.sector))
    )
    counts = await session.execute(
        select_columns(
            col(PlanStep.step_id), col(Assessment.sector), col(PlanStep.status), func.count()
        )
        .join(Assessment, col(Assessment.id) == col(PlanStep.assessment_id))
        .group_by(col(PlanStep.step_id), col(Assessment.sector), col(PlanStep.status))
    )
    by_group: dict[tuple[str, str | None], dict[str, int]] = {}
    for step_id, sector, status, n in counts:
        by_group.setdefault((step_id, sector), {})[status] = n
    tallies = []
    for step_id, subfactor_key, sector, n in people:
        hidden = is_suppressed(assessments=n, respondents=n, k=k)
        statuses = {} if hidden else by_group.get((step_id, sector), {})
        tallies.append(
            StepTally(step_id, subfactor_key, sector, 0 if hidden else n, statuses, hidden)
        )
    return tallies


async def blocker_counts(*, session: AsyncSession, k: int) -> list[BlockerCount]:
    """Per sector and reason, the blocked steps (free-text notes never leave the table)."""
    rows = await session.execute(
        select_columns(
            col(Assessment.sector),
            col(PlanStep.blocked_reason),
            func.count(),
            func.count(func.distinct(PlanStep.respondent_id)),
        )
        .join(Assessment, col(Assessment.id) == col(PlanStep.assessment_id))
        .where(
            col(PlanStep.status) == StepStatus.BLOCKED.value,
            col(PlanStep.blocked_reason).is_not(None),
        )
        .group_by(col(Assessment.sector), col(PlanStep.blocked_reason))
        .order_by(col(Assessment.sector), col(PlanStep.blocked_reason))
    )
    result = []
    for sector, reason, steps, people in rows:
        hidden = is_suppressed(assessments=people, respondents=people, k=k)
        result.append(
            BlockerCount(sector, reason, 0 if hidden else steps, 0 if hidden else people, hidden)
        )
    return result
