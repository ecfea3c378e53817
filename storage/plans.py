"""Committed plan steps and their check-ins: what a person promised to do, and how it went.

A check-in is claimed before it is sent, in a transaction that starts by writing: the person's
daily slot (`plan_setting.last_checkin_day`) and the step's `checkin_at`, each by a conditional
UPDATE. Two replicas claiming at once never both win: PostgreSQL re-checks the condition after
the other's commit, SQLite runs one writer at a time. Rows go with the respondent (/forget).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint, or_, update
from sqlalchemy import select as select_columns
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col, select

from storage.db import count_affected_rows
from storage.models import Respondent, UtcDateTime, get_datetime_utc

__all__ = [
    "BLOCK_REASONS",
    "NOTE_MAX_LENGTH",
    "DueCheckIn",
    "NewStep",
    "PlanSetting",
    "PlanStep",
    "StepStatus",
    "answer_check_in",
    "claim_check_in",
    "commit_steps",
    "due_check_ins",
    "get_plan_setting",
    "get_plan_step",
    "list_plan_steps",
    "release_check_in",
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


#: Why a step is blocked (the fixed list the check-in offers).
BLOCK_REASONS = ("budget", "mandate", "staff", "legal", "technical", "other")


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


@dataclass(frozen=True)
class DueCheckIn:
    """A step that has fallen due, not yet asked about, of a person who is not paused."""

    plan_step_id: int
    respondent_id: int
    telegram_id: int
    language: str | None
    time_zone: str | None
    last_checkin_day: str | None


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
    if reason is not None and reason not in BLOCK_REASONS:
        raise ValueError(f"unknown blocking reason {reason!r}")
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


async def due_check_ins(
    *, session: AsyncSession, now: datetime, limit: int = 200
) -> list[DueCheckIn]:
    """Steps due by `now`, not asked about, not done, of people neither paused nor blocking us."""
    rows = await session.execute(
        select_columns(
            col(PlanStep.id),
            col(PlanStep.respondent_id),
            col(Respondent.telegram_id),
            col(Respondent.language),
            col(PlanSetting.time_zone),
            col(PlanSetting.last_checkin_day),
        )
        .join(Respondent, col(Respondent.id) == col(PlanStep.respondent_id))
        .join(PlanSetting, col(PlanSetting.respondent_id) == col(PlanStep.respondent_id))
        .where(
            col(PlanStep.due_at) <= now,
            col(PlanStep.checkin_at).is_(None),
            col(PlanStep.status) != StepStatus.DONE.value,
            col(PlanSetting.paused_at).is_(None),
            col(Respondent.blocked_at).is_(None),
        )
        .order_by(col(PlanStep.due_at), col(PlanStep.id))
        .limit(limit)
    )
    return [DueCheckIn(*row) for row in rows]


async def claim_check_in(
    *, session: AsyncSession, plan_step_id: int, respondent_id: int, day: str, now: datetime
) -> bool:
    """Take the person's check-in slot for local `day` and the step; False if either is gone.

    On False the caller must roll back (the slot may have been taken in this transaction).
    """
    slot = await session.execute(
        update(PlanSetting)
        .where(
            col(PlanSetting.respondent_id) == respondent_id,
            col(PlanSetting.paused_at).is_(None),
            or_(
                col(PlanSetting.last_checkin_day).is_(None),
                col(PlanSetting.last_checkin_day) != day,
            ),
        )
        .values(last_checkin_day=day)
        .execution_options(synchronize_session=False)
    )
    if count_affected_rows(slot) == 0:
        return False
    step = await session.execute(
        update(PlanStep)
        .where(col(PlanStep.id) == plan_step_id, col(PlanStep.checkin_at).is_(None))
        .values(checkin_at=now)
        .execution_options(synchronize_session=False)
    )
    return count_affected_rows(step) > 0


async def release_check_in(
    *, session: AsyncSession, plan_step_id: int, respondent_id: int, day: str, now: datetime
) -> None:
    """Give back a claim whose message surely was not sent: the step and the day's slot."""
    await session.execute(
        update(PlanStep)
        .where(col(PlanStep.id) == plan_step_id, col(PlanStep.checkin_at) == now)
        .values(checkin_at=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(PlanSetting)
        .where(
            col(PlanSetting.respondent_id) == respondent_id,
            col(PlanSetting.last_checkin_day) == day,
        )
        .values(last_checkin_day=None)
        .execution_options(synchronize_session=False)
    )
