"""The note expected after a blocking reason: taken once, not after it expires, gone with
/forget (storage/plan_notes.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.plan_notes import PlanNoteExpected, expect_note, take_expected_note
from storage.plans import NewStep, commit_steps, list_plan_steps
from storage.respondents import forget_respondent
from tests.storage.factories import create_assessment, create_respondent


async def expected(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(PlanNoteExpected)) or 0


async def test_an_expired_expectation_takes_no_note_and_forget_removes_it(
    session: AsyncSession,
) -> None:
    respondent = await create_respondent(session)
    assessment = await create_assessment(session, respondent)
    assert respondent.id is not None and assessment.id is not None
    now = datetime(2026, 12, 7, 10, tzinfo=UTC)
    step = NewStep("s", "sf", "d30", now)
    await commit_steps(
        session=session, respondent_id=respondent.id, assessment_id=assessment.id, steps=[step]
    )
    (row,) = await list_plan_steps(session=session, respondent_id=respondent.id)
    assert row.id is not None
    await expect_note(
        session=session,
        respondent_id=respondent.id,
        plan_step_id=row.id,
        expires_at=now + timedelta(minutes=30),
    )
    telegram_id = respondent.telegram_id
    late = now + timedelta(minutes=31)
    assert await take_expected_note(session=session, telegram_id=telegram_id, now=late) is None
    assert await expected(session) == 0  # used up even though it had expired

    await expect_note(
        session=session, respondent_id=respondent.id, plan_step_id=row.id, expires_at=late
    )
    taken = await take_expected_note(session=session, telegram_id=telegram_id, now=now)
    assert taken == (respondent.id, row.id)
    assert await take_expected_note(session=session, telegram_id=telegram_id, now=now) is None

    await expect_note(
        session=session, respondent_id=respondent.id, plan_step_id=row.id, expires_at=late
    )
    await session.commit()
    assert await forget_respondent(session=session, telegram_id=telegram_id)
    await session.commit()
    assert await expected(session) == 0
