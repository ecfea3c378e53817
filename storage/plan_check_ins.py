"""Check-in claims: which committed steps are due, and taking one so exactly one replica asks.

A check-in is claimed before it is sent, in a transaction that starts by writing: the person's
daily slot (`plan_setting.last_checkin_day`) and the step's `checkin_at`, each by a conditional
UPDATE. Two replicas claiming at once never both win: PostgreSQL re-checks the condition after
the other's commit, SQLite runs one writer at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy import select as select_columns
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import count_affected_rows
from storage.models import Respondent
from storage.plans import PlanSetting, PlanStep, StepStatus

__all__ = ["DueCheckIn", "claim_check_in", "due_check_ins", "release_check_in"]


@dataclass(frozen=True)
class DueCheckIn:
    """A step that has fallen due, not yet asked about, of a person who is not paused."""

    plan_step_id: int
    respondent_id: int
    telegram_id: int
    language: str | None
    time_zone: str | None
    last_checkin_day: str | None


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
