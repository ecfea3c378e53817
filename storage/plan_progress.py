"""How far a person has got with their committed steps, per sub-factor (read-only queries).

The steps themselves are written by storage/plans.py; this module only counts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.plans import PlanStep, StepStatus

__all__ = ["SubFactorSteps", "steps_by_subfactor", "steps_done_by_subfactor", "totals_by_subfactor"]


@dataclass(frozen=True)
class SubFactorSteps:
    """The steps a person committed to under one assessment's plan for one sub-factor."""

    plan_assessment_id: int
    subfactor_key: str
    committed: int
    done: int


# Built once: every results screen reads it (building a statement costs about 100 µs).
_STEPS = (
    select(
        col(PlanStep.assessment_id),
        col(PlanStep.subfactor_key),
        func.count(),
        func.sum(case((col(PlanStep.status) == StepStatus.DONE.value, 1), else_=0)),
    )
    .where(col(PlanStep.respondent_id) == bindparam("respondent_id"))
    .group_by(col(PlanStep.assessment_id), col(PlanStep.subfactor_key))
    .order_by(col(PlanStep.assessment_id), col(PlanStep.subfactor_key))
)


async def steps_by_subfactor(*, session: AsyncSession, respondent_id: int) -> list[SubFactorSteps]:
    """Committed and done steps per plan (assessment) and sub-factor, oldest plan first."""
    rows = await session.execute(_STEPS, {"respondent_id": respondent_id})
    return [
        SubFactorSteps(assessment_id, key, int(committed), int(done_count or 0))
        for assessment_id, key, committed, done_count in rows.tuples()
    ]


async def steps_done_by_subfactor(
    *, session: AsyncSession, respondent_id: int
) -> dict[str, tuple[int, int]]:
    """(done, committed) per sub-factor over all the person's plans; empty with no plan."""
    rows = await steps_by_subfactor(session=session, respondent_id=respondent_id)
    return totals_by_subfactor(rows)


def totals_by_subfactor(rows: Iterable[SubFactorSteps]) -> dict[str, tuple[int, int]]:
    """(done, committed) per sub-factor, summed over the plans of `steps_by_subfactor`'s rows."""
    totals: dict[str, tuple[int, int]] = {}
    for row in rows:
        done, committed = totals.get(row.subfactor_key, (0, 0))
        totals[row.subfactor_key] = (done + row.done, committed + row.committed)
    return totals
