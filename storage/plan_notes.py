"""The note a person may send after saying why a step is blocked: which step it is for.

After a blocking reason the bot invites one optional note; the person's next text message is
taken as that note, whichever replica receives it and even after a restart. The expectation is
a row (one per person), taken by a DELETE … RETURNING, so exactly one replica takes it; it
expires after a while (an answer hours later is not a note), and goes with the respondent or
the step (/forget, ON DELETE CASCADE).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col

from storage.models import Respondent, UtcDateTime

__all__ = ["PlanNoteExpected", "clear_expected_note", "expect_note", "take_expected_note"]


class PlanNoteExpected(SQLModel, table=True):
    """A person's next text is the note on this blocked step, until `expires_at`."""

    __tablename__ = "plan_note_expected"

    respondent_id: int = Field(foreign_key="respondent.id", ondelete="CASCADE", primary_key=True)
    plan_step_id: int = Field(foreign_key="plan_step.id", ondelete="CASCADE", index=True)
    expires_at: datetime = Field(sa_type=UtcDateTime)


async def expect_note(
    *, session: AsyncSession, respondent_id: int, plan_step_id: int, expires_at: datetime
) -> None:
    """Take the person's next text as the note on `plan_step_id` (replacing any earlier one)."""
    await clear_expected_note(session=session, respondent_id=respondent_id)
    session.add(
        PlanNoteExpected(
            respondent_id=respondent_id, plan_step_id=plan_step_id, expires_at=expires_at
        )
    )
    await session.flush()


async def clear_expected_note(*, session: AsyncSession, respondent_id: int) -> None:
    """Expect no note from the person any more."""
    await session.execute(
        delete(PlanNoteExpected)
        .where(col(PlanNoteExpected.respondent_id) == respondent_id)
        .execution_options(synchronize_session=False)
    )


# Built once: every text a person sends asks it first (building a statement costs ~100 µs).
_TAKE = (
    delete(PlanNoteExpected)
    .where(
        col(PlanNoteExpected.respondent_id)
        == select(col(Respondent.id))
        .where(col(Respondent.telegram_id) == bindparam("telegram_id"))
        .scalar_subquery()
    )
    .returning(
        col(PlanNoteExpected.respondent_id),
        col(PlanNoteExpected.plan_step_id),
        col(PlanNoteExpected.expires_at),
    )
    .execution_options(synchronize_session=False)
)


async def take_expected_note(
    *, session: AsyncSession, telegram_id: int, now: datetime
) -> tuple[int, int] | None:
    """(respondent id, plan step id) the text of `telegram_id` is a note for, else None.

    The expectation is used up either way: only the one next text can be the note. Of two
    replicas taking it at once, one gets it (the row is deleted once).
    """
    taken = await session.execute(_TAKE, {"telegram_id": telegram_id})
    row = taken.first()
    if row is None:
        return None
    respondent_id, plan_step_id, expires_at = row
    return (respondent_id, plan_step_id) if now < expires_at else None
