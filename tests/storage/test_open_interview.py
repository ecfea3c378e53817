"""An answer's state through a connection (no session, no ORM objects): read, saved, locked.

`open_interview` and `save_open_interview` are the answer's hot path; they must read and write
exactly what the ORM's `load_interview_state` and `save_interview_state` do.
"""

from __future__ import annotations

import asyncio
from types import MappingProxyType

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col

from knowledge.interview_state import InterviewState
from knowledge.model import QuestionSet
from storage.assessments import (
    StaleAssessmentError,
    cancel_assessment,
    get_assessment,
    load_interview_state,
    save_interview_state,
)
from storage.interview_states import open_interview, save_open_interview
from storage.models import Respondent, get_datetime_utc
from tests.storage.factories import PROFILE, create_assessment, random_telegram_id

STATE = InterviewState(
    profile=MappingProxyType(dict(PROFILE)),
    question_set=QuestionSet.CORE,
    answers=MappingProxyType({"q1": 4, "q2": None, "q3": 0}),
    cursor=3,
    refined=("s1",),
)


def _next(state: InterviewState, question_id: str, value: int | None) -> InterviewState:
    answers = MappingProxyType({**state.answers, question_id: value})
    return InterviewState(
        profile=state.profile,
        question_set=state.question_set,
        answers=answers,
        cursor=state.cursor + 1,
        refined=state.refined,
    )


async def _stored(
    session_factory: async_sessionmaker[AsyncSession], assessment_id: int
) -> tuple[InterviewState, int]:
    async with session_factory() as session:
        assessment = await get_assessment(session=session, assessment_id=assessment_id)
        assert assessment is not None
        return await load_interview_state(session=session, assessment=assessment), (
            assessment.version
        )


async def test_reads_what_the_orm_reads_and_writes_what_it_writes(
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    respondent: Respondent,
) -> None:
    async with session_factory() as session:
        assessment = await create_assessment(session, respondent)
        await save_interview_state(session=session, assessment=assessment, state=STATE)
        await session.commit()
    assert assessment.id is not None

    async with engine.begin() as connection:
        interview = await open_interview(connection, respondent.telegram_id)
        assert interview is not None
        assert interview.state == STATE
        assert interview.state.answers["q2"] is None  # "don't know" is an answer
        assert (interview.respondent_id, interview.assessment_id) == (
            respondent.id,
            assessment.id,
        )
        assert (interview.version, interview.kb_revision) == (1, 1)
        assert interview.language == respondent.language
        await save_open_interview(connection, interview, _next(STATE, "q4", 2))

    state, version = await _stored(session_factory, assessment.id)
    assert state == _next(STATE, "q4", 2)
    assert version == 2
    # A changed answer replaces the old one; what the ORM saves next is checked against it.
    async with engine.begin() as connection:
        interview = await open_interview(connection, respondent.telegram_id)
        assert interview is not None and interview.state == state
        changed = InterviewState(**{**vars_of(state), "answers": {**state.answers, "q1": 1}})
        await save_open_interview(connection, interview, changed)
    async with session_factory() as session:
        stored = await get_assessment(session=session, assessment_id=assessment.id)
        assert stored is not None
        assert (await load_interview_state(session=session, assessment=stored)).answers == {
            **state.answers,
            "q1": 1,
        }
        await save_interview_state(session=session, assessment=stored, state=STATE)
        await session.commit()
        assert stored.version == 4


def vars_of(state: InterviewState) -> dict[str, object]:
    """The state's fields, to build a changed copy."""
    return {
        "profile": state.profile,
        "question_set": state.question_set,
        "answers": state.answers,
        "cursor": state.cursor,
        "refined": state.refined,
    }


async def test_an_assessment_with_no_answers_yet(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession], respondent: Respondent
) -> None:
    async with session_factory() as session:
        await create_assessment(session, respondent)
    async with engine.begin() as connection:
        interview = await open_interview(connection, respondent.telegram_id)
    assert interview is not None
    assert interview.state == InterviewState()
    assert interview.version == 0


async def test_none_for_a_stranger_someone_marked_blocked_or_nothing_open(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession], respondent: Respondent
) -> None:
    async with engine.begin() as connection:
        assert await open_interview(connection, random_telegram_id()) is None
        assert await open_interview(connection, respondent.telegram_id) is None  # none open
    async with session_factory() as session:
        assessment_id = (await create_assessment(session, respondent)).id
        assert assessment_id is not None
        await session.execute(
            update(Respondent)
            .where(col(Respondent.id) == respondent.id)
            .values(blocked_at=get_datetime_utc())
        )
        await session.commit()
    async with engine.begin() as connection:
        assert await open_interview(connection, respondent.telegram_id) is None  # blocked
    async with session_factory() as session:
        await session.execute(
            update(Respondent).where(col(Respondent.id) == respondent.id).values(blocked_at=None)
        )
        assessment = await get_assessment(session=session, assessment_id=assessment_id)
        assert assessment is not None
        assert await cancel_assessment(session=session, assessment=assessment)
        await session.commit()
    async with engine.begin() as connection:
        assert await open_interview(connection, respondent.telegram_id) is None  # cancelled


async def test_a_stale_save_writes_nothing(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession], respondent: Respondent
) -> None:
    async with session_factory() as session:
        assessment = await create_assessment(session, respondent)
    assert assessment.id is not None
    async with engine.begin() as connection:
        theirs = await open_interview(connection, respondent.telegram_id)
    assert theirs is not None
    async with engine.begin() as connection:
        mine = await open_interview(connection, respondent.telegram_id)
        assert mine is not None
        await save_open_interview(connection, mine, _next(STATE, "q4", 1))
    with pytest.raises(StaleAssessmentError, match=f"assessment {assessment.id}"):
        async with engine.begin() as connection:
            await save_open_interview(connection, theirs, _next(STATE, "q4", 3))
    state, version = await _stored(session_factory, assessment.id)
    assert state.answers["q4"] == 1
    assert version == 1


async def test_a_second_answer_waits_for_the_first_and_reads_what_it_wrote(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession], respondent: Respondent
) -> None:
    """Two presses of one person at once (two replicas): the second reads after the first
    commits, so it builds on the first answer instead of failing as stale. PostgreSQL locks
    the respondent before the read; SQLite's writers hold the write lock from BEGIN."""
    async with session_factory() as session:
        assessment = await create_assessment(session, respondent)
    assert assessment.id is not None
    first_read = asyncio.Event()
    release_first = asyncio.Event()

    async def first() -> None:
        async with engine.begin() as connection:
            interview = await open_interview(connection, respondent.telegram_id)
            assert interview is not None
            first_read.set()
            await release_first.wait()
            await save_open_interview(connection, interview, _next(interview.state, "q1", 4))

    async def second() -> InterviewState:
        await first_read.wait()
        async with engine.begin() as connection:
            interview = await open_interview(connection, respondent.telegram_id)
            assert interview is not None
            state = _next(interview.state, "q2", 2)
            await save_open_interview(connection, interview, state)
            return state

    first_task = asyncio.create_task(first())
    second_task = asyncio.create_task(second())
    try:
        await first_read.wait()
        await asyncio.sleep(0.2)  # the second is now waiting for the first
        assert not second_task.done()
    finally:
        release_first.set()
        await first_task
    state = await second_task
    assert state.answers == {"q1": 4, "q2": 2}
    stored, version = await _stored(session_factory, assessment.id)
    assert stored.answers == {"q1": 4, "q2": 2}
    assert version == 2
