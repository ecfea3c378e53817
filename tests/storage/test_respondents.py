"""Respondents: registration, language, blocking and forgetting."""

from __future__ import annotations

import asyncio
from datetime import UTC

import pytest
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel, col, select

from knowledge.interview_state import InterviewState
from knowledge.model import QuestionSet
from storage.assessments import complete_assessment, save_interview_state
from storage.models import Answer, Assessment, FactorResult, Respondent, SubFactorResult
from storage.respondents import (
    forget_respondent,
    get_or_create_respondent,
    get_respondent,
    mark_respondent_blocked,
    set_respondent_language,
)
from tests.storage.factories import (
    PROFILE,
    create_assessment,
    create_respondent,
    random_telegram_id,
)
from tests.storage.readiness import sample_readiness


async def test_get_or_create_respondent_is_idempotent(session: AsyncSession) -> None:
    telegram_id = random_telegram_id()
    first = await get_or_create_respondent(session=session, telegram_id=telegram_id, language="fa")
    await session.commit()
    again = await get_or_create_respondent(session=session, telegram_id=telegram_id, language="en")
    await session.commit()

    assert again.id == first.id
    assert again.language == "fa"
    assert again.telegram_id == telegram_id
    assert again.created_at.tzinfo is not None
    assert await session.scalar(select(func.count()).select_from(Respondent)) == 1


async def test_a_newcomer_seen_by_two_updates_at_once_is_registered_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    telegram_id = random_telegram_id()
    async with session_factory() as first, session_factory() as second:
        created = await get_or_create_respondent(session=first, telegram_id=telegram_id)
        racing = asyncio.create_task(
            get_or_create_respondent(session=second, telegram_id=telegram_id)
        )
        await asyncio.sleep(0.1)
        await first.commit()
        found = await racing
        await second.commit()
        assert found.id == created.id


async def test_respondents_are_shared_between_sessions(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    telegram_id = random_telegram_id()
    async with session_factory() as session, session.begin():
        created = await get_or_create_respondent(session=session, telegram_id=telegram_id)
    async with session_factory() as session:
        found = await get_respondent(session=session, telegram_id=telegram_id)
        assert found is not None
        assert found.id == created.id
        assert found.created_at.tzinfo == UTC
        assert await get_respondent(session=session, telegram_id=telegram_id + 1) is None


async def test_set_respondent_language(session: AsyncSession, respondent: Respondent) -> None:
    assert respondent.id is not None
    await set_respondent_language(session=session, respondent_id=respondent.id, language="en")
    await session.commit()
    session.expunge_all()

    found = await get_respondent(session=session, telegram_id=respondent.telegram_id)
    assert found is not None
    assert found.language == "en"
    with pytest.raises(ValueError, match="unsupported language"):
        await set_respondent_language(session=session, respondent_id=respondent.id, language="de")


async def test_blocked_respondent_is_unblocked_when_they_write_again(
    session: AsyncSession, respondent: Respondent
) -> None:
    assert await mark_respondent_blocked(session=session, telegram_id=respondent.telegram_id)
    await session.commit()
    assert respondent.blocked_at is not None
    assert not await mark_respondent_blocked(session=session, telegram_id=random_telegram_id())

    again = await get_or_create_respondent(session=session, telegram_id=respondent.telegram_id)
    await session.commit()
    assert again.blocked_at is None


async def _count_rows(session: AsyncSession, table: type[SQLModel], respondent_id: int) -> int:
    statement = select(func.count()).select_from(table)
    if table is Respondent:
        statement = statement.where(col(Respondent.id) == respondent_id)
    elif table is Assessment:
        statement = statement.where(col(Assessment.respondent_id) == respondent_id)
    else:
        owned = select(col(Assessment.id)).where(col(Assessment.respondent_id) == respondent_id)
        statement = statement.where(table.assessment_id.in_(owned))  # type: ignore[attr-defined]
    return await session.scalar(statement) or 0


async def _respondent_with_everything(session: AsyncSession) -> Respondent:
    respondent = await create_respondent(session)
    completed = await create_assessment(session, respondent, PROFILE)
    state = InterviewState(profile=PROFILE, question_set=QuestionSet.CORE, answers={"q1": 3})
    await save_interview_state(session=session, assessment=completed, state=state)
    await complete_assessment(session=session, assessment=completed, readiness=sample_readiness())
    await session.commit()
    active = await create_assessment(session, respondent, PROFILE)
    await save_interview_state(session=session, assessment=active, state=state)
    await session.commit()
    return respondent


async def test_forget_respondent_removes_everything_of_theirs_and_only_theirs(
    session: AsyncSession,
) -> None:
    forgotten = await _respondent_with_everything(session)
    kept = await _respondent_with_everything(session)
    assert forgotten.id is not None
    assert kept.id is not None
    tables: list[type[SQLModel]] = [
        Respondent,
        Assessment,
        Answer,
        SubFactorResult,
        FactorResult,
    ]
    before = [await _count_rows(session, table, kept.id) for table in tables]
    assert all(before)

    assert await forget_respondent(session=session, telegram_id=forgotten.telegram_id)
    await session.commit()

    assert [await _count_rows(session, table, forgotten.id) for table in tables] == [0] * 5
    assert [await _count_rows(session, table, kept.id) for table in tables] == before
    assert not await forget_respondent(session=session, telegram_id=forgotten.telegram_id)
