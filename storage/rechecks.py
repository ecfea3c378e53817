"""Sub-factor rechecks: once most committed steps of a sub-factor are done, it is asked again.

One row per plan (the assessment whose steps were committed to) and sub-factor: when the offer
was sent (once), the assessment being re-answered, the answers given so far, and the new
assessment the recheck completed. A recheck's answers become a new completed assessment
(storage/assessments.py), exactly as a re-assessment does. Rows go with the respondent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint, bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col, select

from storage.db import count_affected_rows, dialect_insert
from storage.models import UtcDateTime

__all__ = [
    "SubFactorRecheck",
    "complete_recheck",
    "ensure_recheck",
    "get_recheck",
    "list_rechecks",
    "mark_offered",
    "record_recheck_answer",
    "start_recheck",
]


class SubFactorRecheck(SQLModel, table=True):
    """A sub-factor asked again after most of its committed steps were done."""

    __tablename__ = "subfactor_recheck"
    __table_args__ = (
        UniqueConstraint("plan_assessment_id", "subfactor_key", name="uq_subfactor_recheck"),
    )

    id: int | None = Field(default=None, primary_key=True)
    respondent_id: int = Field(foreign_key="respondent.id", ondelete="CASCADE", index=True)
    # The assessment whose plan the steps were committed under.
    plan_assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE")
    subfactor_key: str
    offered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # The completed assessment re-answered (the latest when the recheck started).
    base_assessment_id: int | None = Field(
        default=None, foreign_key="assessment.id", ondelete="CASCADE"
    )
    answers: dict[str, Any] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    position: int = 0
    started_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # The new completed assessment: the base's answers with the sub-factor's answered anew.
    result_assessment_id: int | None = Field(
        default=None, foreign_key="assessment.id", ondelete="CASCADE"
    )
    completed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)

    @property
    def given(self) -> dict[str, int | None]:
        """The answers given so far, by question id."""
        return {str(k): (None if v is None else int(v)) for k, v in (self.answers or {}).items()}


async def ensure_recheck(
    *, session: AsyncSession, respondent_id: int, plan_assessment_id: int, subfactor_key: str
) -> SubFactorRecheck:
    """The recheck of this plan's sub-factor, created on first need (once across replicas)."""
    insert = dialect_insert(session, SubFactorRecheck).values(
        respondent_id=respondent_id,
        plan_assessment_id=plan_assessment_id,
        subfactor_key=subfactor_key,
        position=0,
    )
    await session.execute(
        insert.on_conflict_do_nothing(index_elements=["plan_assessment_id", "subfactor_key"])
    )
    found: SubFactorRecheck | None = await session.scalar(
        select(SubFactorRecheck)
        .where(
            col(SubFactorRecheck.plan_assessment_id) == plan_assessment_id,
            col(SubFactorRecheck.subfactor_key) == subfactor_key,
        )
        .execution_options(populate_existing=True)
    )
    assert found is not None
    return found


async def get_recheck(
    *, session: AsyncSession, recheck_id: int, respondent_id: int
) -> SubFactorRecheck | None:
    """The recheck with this id when it is this respondent's, else None."""
    found: SubFactorRecheck | None = await session.get(
        SubFactorRecheck, recheck_id, populate_existing=True
    )
    if found is None or found.respondent_id != respondent_id:
        return None
    return found


# Built once, as the other statements of a completion's reads.
_RECHECKS = (
    select(SubFactorRecheck)
    .where(col(SubFactorRecheck.respondent_id) == bindparam("respondent_id"))
    .order_by(col(SubFactorRecheck.id))
)


async def list_rechecks(*, session: AsyncSession, respondent_id: int) -> list[SubFactorRecheck]:
    """Every recheck of the respondent, oldest first."""
    rows = await session.scalars(_RECHECKS, {"respondent_id": respondent_id})
    return list(rows)


async def mark_offered(*, session: AsyncSession, recheck: SubFactorRecheck, now: datetime) -> bool:
    """Take the one offer message of this recheck; False if it was already sent."""
    result = await session.execute(
        update(SubFactorRecheck)
        .where(col(SubFactorRecheck.id) == recheck.id, col(SubFactorRecheck.offered_at).is_(None))
        .values(offered_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(recheck)
    return count_affected_rows(result) > 0


async def start_recheck(
    *, session: AsyncSession, recheck: SubFactorRecheck, base_assessment_id: int, now: datetime
) -> None:
    """Begin (or begin again) re-answering the sub-factor of `base_assessment_id`."""
    recheck.base_assessment_id = base_assessment_id
    recheck.answers = {}
    recheck.position = 0
    recheck.started_at = now
    recheck.offered_at = recheck.offered_at or now
    await session.flush()


async def record_recheck_answer(
    *,
    session: AsyncSession,
    recheck: SubFactorRecheck,
    position: int,
    question_id: str,
    value: int | None,
) -> bool:
    """Keep the answer to the question at `position`; False if that press is stale (another
    answer came first, or the recheck is over)."""
    answers = {**recheck.given, question_id: value}
    result = await session.execute(
        update(SubFactorRecheck)
        .where(
            col(SubFactorRecheck.id) == recheck.id,
            col(SubFactorRecheck.position) == position,
            col(SubFactorRecheck.completed_at).is_(None),
            col(SubFactorRecheck.started_at).is_not(None),
        )
        .values(answers=answers, position=position + 1)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(recheck)
    return count_affected_rows(result) > 0


async def complete_recheck(
    *, session: AsyncSession, recheck: SubFactorRecheck, result_assessment_id: int, now: datetime
) -> None:
    """Close the recheck with the new assessment its answers completed."""
    recheck.result_assessment_id = result_assessment_id
    recheck.completed_at = now
    await session.flush()
