"""Reminder claims: once per assessment, only when due, never for the blocked, never twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col, select

from knowledge.interview_state import InterviewState
from knowledge.model import QuestionSet
from storage.assessments import cancel_assessment, complete_assessment, save_interview_state
from storage.db import build_engine, build_session_factory
from storage.models import Assessment, Respondent
from storage.reminders import DueReminder, claim_due_reminders, release_reminder
from storage.respondents import (
    get_or_create_respondent,
    mark_respondent_blocked,
    set_respondent_language,
)
from tests.storage.factories import PROFILE, create_assessment, create_respondent
from tests.storage.readiness import sample_readiness

DELAY = timedelta(hours=24)


def later(hours: float) -> datetime:
    """The clock `hours` from now, as the job would read it then."""
    return datetime.now(UTC) + timedelta(hours=hours)


async def claim(
    session_factory: async_sessionmaker[AsyncSession], *, hours: float = 25, limit: int = 100
) -> list[DueReminder]:
    """One claimer's committed claim at `hours` from now."""
    async with session_factory() as session, session.begin():
        return await claim_due_reminders(
            session=session, now=later(hours), delay=DELAY, limit=limit
        )


async def create_idle_assessments(session: AsyncSession, count: int) -> list[int]:
    """`count` active assessments, each of its own respondent, oldest first."""
    ids = []
    for _ in range(count):
        assessment = await create_assessment(session, await create_respondent(session))
        assert assessment.id is not None
        ids.append(assessment.id)
    return ids


async def test_an_idle_assessment_is_claimed_once(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    respondent: Respondent,
) -> None:
    assert respondent.id is not None
    await set_respondent_language(session=session, respondent_id=respondent.id, language="en")
    assessment = await create_assessment(session, respondent)

    now = later(25)
    async with session_factory() as other, other.begin():
        claimed = await claim_due_reminders(session=other, now=now, delay=DELAY, limit=10)

    assert claimed == [
        DueReminder(
            assessment_id=assessment.id or 0,
            telegram_id=respondent.telegram_id,
            language="en",
            kb_revision=1,
            question_set=None,
            cursor=0,
            claimed_at=now,
        )
    ]
    assert await claim(session_factory) == []
    assert await claim(session_factory, hours=24 * 30) == []
    await session.refresh(assessment)
    assert assessment.reminder_sent_at == now


async def test_nothing_is_claimed_before_the_delay(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    respondent: Respondent,
) -> None:
    await create_assessment(session, respondent)
    assert await claim(session_factory, hours=23) == []
    assert len(await claim(session_factory, hours=24.01)) == 1


async def test_the_claim_reports_where_the_respondent_stopped(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    respondent: Respondent,
) -> None:
    assessment = await create_assessment(session, respondent)
    state = InterviewState(
        profile=MappingProxyType(dict(PROFILE)),
        question_set=QuestionSet.CORE,
        answers=MappingProxyType({"q1": 4, "q2": None, "q3": 0}),
        cursor=3,
    )
    await save_interview_state(session=session, assessment=assessment, state=state)
    await session.commit()

    (claimed,) = await claim(session_factory)
    assert (claimed.question_set, claimed.cursor, claimed.language) == ("core", 3, None)


async def test_closed_assessments_are_never_claimed(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    completed = await create_assessment(session, await create_respondent(session))
    await complete_assessment(session=session, assessment=completed, readiness=sample_readiness())
    cancelled = await create_assessment(session, await create_respondent(session))
    await cancel_assessment(session=session, assessment=cancelled)
    await session.commit()

    assert await claim(session_factory, hours=24 * 365) == []


async def test_a_blocked_respondent_is_skipped_until_they_write_again(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    respondent: Respondent,
) -> None:
    await create_assessment(session, respondent)
    await mark_respondent_blocked(session=session, telegram_id=respondent.telegram_id)
    await session.commit()
    assert await claim(session_factory) == []
    assert await claim(session_factory) == []

    # Hearing from them again is what clears the mark.
    await get_or_create_respondent(session=session, telegram_id=respondent.telegram_id)
    await session.commit()
    assert [r.telegram_id for r in await claim(session_factory)] == [respondent.telegram_id]


async def test_the_oldest_are_claimed_first_in_batches(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ids = await create_idle_assessments(session, 5)

    first = await claim(session_factory, limit=2)
    second = await claim(session_factory, limit=2)
    third = await claim(session_factory, limit=2)

    assert [[r.assessment_id for r in batch] for batch in (first, second, third)] == [
        ids[0:2],
        ids[2:4],
        ids[4:5],
    ]
    assert await claim(session_factory, limit=2) == []


async def test_a_released_claim_is_claimed_again(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    respondent: Respondent,
) -> None:
    await create_assessment(session, respondent)
    (claimed,) = await claim(session_factory)

    async with session_factory() as other, other.begin():
        # Someone else's claim (another timestamp) is not ours to release.
        assert not await release_reminder(
            session=other, assessment_id=claimed.assessment_id, claimed_at=later(1)
        )
    assert await claim(session_factory) == []
    async with session_factory() as other, other.begin():
        assert await release_reminder(
            session=other, assessment_id=claimed.assessment_id, claimed_at=claimed.claimed_at
        )

    assert [r.assessment_id for r in await claim(session_factory)] == [claimed.assessment_id]


async def test_concurrent_claimers_on_two_engines_never_share_an_assessment(
    engine: AsyncEngine, session: AsyncSession, database_url: str
) -> None:
    ids = await create_idle_assessments(session, 12)
    other_engine = build_engine(database_url)
    factories = [build_session_factory(engine), build_session_factory(other_engine)]

    async def drain(factory: async_sessionmaker[AsyncSession]) -> list[int]:
        claimed: list[int] = []
        while batch := await claim(factory, limit=3):
            claimed.extend(r.assessment_id for r in batch)
            await asyncio.sleep(0)  # let the other claimer in between batches
        return claimed

    try:
        results = await asyncio.gather(*(drain(factories[i % 2]) for i in range(4)))
    finally:
        await other_engine.dispose()

    every_claim = [assessment_id for result in results for assessment_id in result]
    assert sorted(every_claim) == ids


async def test_an_open_claim_keeps_its_rows_from_another_claimer(
    engine: AsyncEngine, session: AsyncSession, database_url: str
) -> None:
    ids = await create_idle_assessments(session, 6)
    other_engine = build_engine(database_url)
    postgresql = engine.dialect.name == "postgresql"
    try:
        async with build_session_factory(engine)() as first, first.begin():
            held = await claim_due_reminders(session=first, now=later(25), delay=DELAY, limit=3)
            second = asyncio.create_task(claim(build_session_factory(other_engine)))
            if postgresql:
                # SKIP LOCKED: the second claimer takes the other rows without waiting.
                taken = await asyncio.wait_for(second, timeout=30)
            else:
                await asyncio.sleep(0.05)  # SQLite: the second claimer waits for this commit
        if not postgresql:
            taken = await second
    finally:
        await other_engine.dispose()

    held_ids = [r.assessment_id for r in held]
    taken_ids = [r.assessment_id for r in taken]
    assert held_ids == ids[:3]
    assert taken_ids == ids[3:]
    async with build_session_factory(engine)() as check:
        unclaimed = await check.scalar(
            select(func.count()).where(col(Assessment.reminder_sent_at).is_(None))
        )
    assert unclaimed == 0
