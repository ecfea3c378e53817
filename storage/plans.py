"""Committed plan steps and their check-ins: what a person promised to do, and how it went.

Claiming a check-in (one replica wins each) is in storage.plan_check_ins. Rows go with the
respondent (/forget).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col, select

from knowledge.block_reasons import REASON_KEY_PATTERN
from storage.models import UtcDateTime, get_datetime_utc

__all__ = [
    "NOTE_MAX_LENGTH",
    "NewStep",
    "PlanSetting",
    "PlanStep",
    "StepStatus",
    "answer_check_in",
    "commit_steps",
    "get_plan_setting",
    "get_plan_step",
    "list_plan_steps",
    "set_blocked_note",
    "set_paused",
    "set_time_zone",
]


class StepStatus(StrEnum):
    """Where a committed step stands: committed (not asked yet), then the person's answer."""

    COMMITTED = "committed"
    DONE = "done"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    BLOCKED = "blocked"


#: The shape of a blocking reason's key; which keys exist is the KB's (knowledge.block_reasons),
#: checked by the plan service. Rows keep keys a later KB drops.
_REASON_KEY = re.compile(REASON_KEY_PATTERN)


class PlanStep(SQLModel, table=True):
    """One step of the action plan a person committed to, with its due date and status."""

    __tablename__ = "plan_step"
    __table_args__ = (UniqueConstraint("assessment_id", "step_id", name="uq_plan_step_step"),)

    id: int | None = Field(default=None, primary_key=True)
    respondent_id: int = Field(foreign_key="respondent.id", ondelete="CASCADE", index=True)
    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE", index=True)
    step_id: str
    subfactor_key: str
    horizon: str
    status: str = Field(default=StepStatus.COMMITTED.value, index=True)
    blocked_reason: str | None = None
    # Free text about a blocked step: shown to its author only, never aggregated or exported.
    blocked_note: str | None = None
    committed_at: datetime = Field(default_factory=get_datetime_utc, sa_type=UtcDateTime)
    due_at: datetime = Field(sa_type=UtcDateTime, index=True)
    checkin_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class PlanSetting(SQLModel, table=True):
    """A person's check-in settings: paused or not, time zone, and the last day they were asked."""

    __tablename__ = "plan_setting"

    respondent_id: int = Field(foreign_key="respondent.id", ondelete="CASCADE", primary_key=True)
    paused_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    time_zone: str | None = None
    # The local date (YYYY-MM-DD) of the last check-in: at most one a day.
    last_checkin_day: str | None = None


@dataclass(frozen=True)
class NewStep:
    """A step to commit to: its id, the sub-factor that led to it, its horizon and due date."""

    step_id: str
    subfactor_key: str
    horizon: str
    due_at: datetime


async def _setting(session: AsyncSession, respondent_id: int) -> PlanSetting:
    setting = await session.get(PlanSetting, respondent_id)
    if setting is None:
        setting = PlanSetting(respondent_id=respondent_id)
        session.add(setting)
        await session.flush()
    return setting


async def commit_steps(
    *, session: AsyncSession, respondent_id: int, assessment_id: int, steps: list[NewStep]
) -> int:
    """Commit to `steps` (those already committed are kept as they are); how many are new."""
    await _setting(session, respondent_id)
    rows = await session.execute(
        select(col(PlanStep.step_id)).where(col(PlanStep.assessment_id) == assessment_id)
    )
    existing = set(rows.scalars())
    new = [step for step in steps if step.step_id not in existing]
    for step in new:
        session.add(
            PlanStep(
                respondent_id=respondent_id,
                assessment_id=assessment_id,
                step_id=step.step_id,
                subfactor_key=step.subfactor_key,
                horizon=step.horizon,
                due_at=step.due_at,
            )
        )
    await session.flush()
    return len(new)


async def list_plan_steps(*, session: AsyncSession, respondent_id: int) -> list[PlanStep]:
    """The person's committed steps, soonest due first."""
    rows = await session.execute(
        select(PlanStep)
        .where(col(PlanStep.respondent_id) == respondent_id)
        .order_by(col(PlanStep.due_at), col(PlanStep.id))
    )
    return list(rows.scalars())


async def get_plan_setting(*, session: AsyncSession, respondent_id: int) -> PlanSetting | None:
    """The person's check-in settings, None before their first commitment."""
    return await session.get(PlanSetting, respondent_id)


async def set_paused(
    *, session: AsyncSession, respondent_id: int, paused_at: datetime | None
) -> None:
    """Pause check-ins (`paused_at` set) or resume them (None)."""
    setting = await _setting(session, respondent_id)
    setting.paused_at = paused_at
    await session.flush()


async def set_time_zone(
    *, session: AsyncSession, respondent_id: int, time_zone: str | None
) -> None:
    """Set the IANA time zone the check-ins keep to (None: the language's default)."""
    setting = await _setting(session, respondent_id)
    setting.time_zone = time_zone
    await session.flush()


async def get_plan_step(
    *, session: AsyncSession, plan_step_id: int, respondent_id: int
) -> PlanStep | None:
    """The committed step with this id when it is this respondent's, else None."""
    step = await session.get(PlanStep, plan_step_id)
    if step is None or step.respondent_id != respondent_id:
        return None
    return step


async def answer_check_in(
    *,
    session: AsyncSession,
    step: PlanStep,
    status: StepStatus,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Record the person's answer about a step (a reason only for a blocked one)."""
    if reason is not None and not _REASON_KEY.fullmatch(reason):
        raise ValueError(f"not a blocking reason key: {reason!r}")
    step.status = status.value
    step.blocked_reason = reason if status is StepStatus.BLOCKED else None
    if status is not StepStatus.BLOCKED:
        step.blocked_note = None
    step.answered_at = now
    await session.flush()


#: The longest note kept about a blocked step.
NOTE_MAX_LENGTH = 500


async def set_blocked_note(*, session: AsyncSession, step: PlanStep, note: str) -> bool:
    """Keep the person's own words about why a step is blocked; False if it is not blocked."""
    if step.status != StepStatus.BLOCKED.value:
        return False
    step.blocked_note = note.strip()[:NOTE_MAX_LENGTH] or None
    await session.flush()
    return True
