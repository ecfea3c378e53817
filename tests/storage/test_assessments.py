"""Assessments: lifecycle, interview state, optimistic concurrency and results."""

from __future__ import annotations

import asyncio
from types import MappingProxyType

import pytest
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from knowledge.interview_state import InterviewState
from knowledge.model import QuestionSet
from storage.assessments import (
    StaleAssessmentError,
    cancel_assessment,
    complete_assessment,
    get_active_assessment,
    get_assessment,
    get_factor_results,
    get_latest_completed_assessment,
    get_subfactor_results,
    load_interview_state,
    save_interview_state,
    start_assessment,
)
from storage.models import Answer, Assessment, AssessmentStatus, Respondent
from tests.storage.factories import PROFILE, create_assessment
from tests.storage.readiness import sample_readiness

STATE = InterviewState(
    profile=MappingProxyType(dict(PROFILE)),
    question_set=QuestionSet.DETAILED,
    answers=MappingProxyType({"q1": 4, "q2": None, "q3": 0}),
    cursor=3,
)


async def _answer_count(session: AsyncSession, assessment: Assessment) -> int:
    statement = select(func.count()).where(col(Answer.assessment_id) == assessment.id)
    return await session.scalar(statement) or 0


async def test_start_assessment_records_profile_and_revision(
    session: AsyncSession, respondent: Respondent
) -> None:
    assert respondent.id is not None
    assessment = await start_assessment(
        session=session,
        respondent_id=respondent.id,
        kb_revision=3,
        profile={"sector": "health"},
        org_code="moh",
        channel="bale",
    )
    await session.commit()

    assert assessment.id is not None
    assert assessment.status == AssessmentStatus.ACTIVE
    assert (assessment.kb_revision, assessment.org_code, assessment.channel) == (3, "moh", "bale")
    assert (assessment.sector, assessment.region, assessment.cursor) == ("health", None, 0)
    assert assessment.started_at.tzinfo is not None
    active = await get_active_assessment(
        session=session, respondent_id=respondent.id, for_update=True
    )
    assert active is assessment
    assert await get_assessment(session=session, assessment_id=assessment.id) is assessment


async def test_start_assessment_rejects_unknown_profile_fields(
    session: AsyncSession, respondent: Respondent
) -> None:
    assert respondent.id is not None
    with pytest.raises(ValueError, match="unknown profile fields"):
        await start_assessment(
            session=session, respondent_id=respondent.id, kb_revision=1, profile={"name": "x"}
        )


async def test_start_assessment_cancels_the_active_one(
    session: AsyncSession, respondent: Respondent
) -> None:
    first = await create_assessment(session, respondent)
    second = await create_assessment(session, respondent)

    assert first.status == AssessmentStatus.CANCELLED
    assert first.version == 1
    assert second.status == AssessmentStatus.ACTIVE
    assert respondent.id is not None
    active = await get_active_assessment(session=session, respondent_id=respondent.id)
    assert active is not None
    assert active.id == second.id


async def test_concurrent_starts_take_turns(
    session_factory: async_sessionmaker[AsyncSession], respondent: Respondent
) -> None:
    assert respondent.id is not None
    respondent_id = respondent.id

    async def start() -> None:
        async with session_factory() as session, session.begin():
            await start_assessment(session=session, respondent_id=respondent_id, kb_revision=1)
            await asyncio.sleep(0.1)  # the other start arrives while this one is open

    await asyncio.gather(start(), start())
    async with session_factory() as session:
        statuses = await session.scalars(
            select(col(Assessment.status)).where(col(Assessment.respondent_id) == respondent_id)
        )
        assert sorted(statuses) == [AssessmentStatus.ACTIVE, AssessmentStatus.CANCELLED]


async def test_partial_unique_index_refuses_a_second_active_assessment(
    session: AsyncSession, respondent: Respondent
) -> None:
    assert respondent.id is not None
    first = await create_assessment(session, respondent)
    assert await cancel_assessment(session=session, assessment=first)
    await create_assessment(session, respondent)
    await session.commit()  # one cancelled and one active assessment are fine

    session.add(Assessment(respondent_id=respondent.id, kb_revision=1))
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_cancel_assessment_only_cancels_an_active_one(
    session: AsyncSession, respondent: Respondent
) -> None:
    assessment = await create_assessment(session, respondent)
    assert await cancel_assessment(session=session, assessment=assessment)
    assert not await cancel_assessment(session=session, assessment=assessment)
    await session.commit()
    assert assessment.status == AssessmentStatus.CANCELLED
    assert assessment.respondent_id is not None
    active = await get_active_assessment(session=session, respondent_id=assessment.respondent_id)
    assert active is None


async def test_interview_state_round_trips(
    session_factory: async_sessionmaker[AsyncSession], respondent: Respondent
) -> None:
    async with session_factory() as session:
        assessment = await create_assessment(session, respondent)
        assert await load_interview_state(session=session, assessment=assessment) == (
            InterviewState()
        )
        await save_interview_state(session=session, assessment=assessment, state=STATE)
        await session.commit()
        assert assessment.version == 1

    async with session_factory() as session:
        assert assessment.id is not None
        stored = await get_assessment(session=session, assessment_id=assessment.id)
        assert stored is not None
        state = await load_interview_state(session=session, assessment=stored)
        assert state == STATE
        assert state.answers["q2"] is None  # "don't know" is an answer, not a missing one
        assert stored.version == 1
        assert stored.updated_at >= stored.started_at


async def test_saving_a_partial_profile_and_going_back(
    session: AsyncSession, respondent: Respondent
) -> None:
    assessment = await create_assessment(session, respondent)
    partial = InterviewState(profile=MappingProxyType({"sector": "health", "region": "fars"}))
    await save_interview_state(session=session, assessment=assessment, state=partial)
    await save_interview_state(session=session, assessment=assessment, state=STATE)
    back = InterviewState(
        profile=STATE.profile,
        question_set=STATE.question_set,
        answers=MappingProxyType({"q1": 4}),
        cursor=1,
    )
    await save_interview_state(session=session, assessment=assessment, state=back)
    await session.commit()

    assert await load_interview_state(session=session, assessment=assessment) == back
    assert assessment.version == 3
    assert await _answer_count(session, assessment) == 1


async def test_saving_the_same_answer_twice_keeps_one_row(
    session: AsyncSession, respondent: Respondent
) -> None:
    assessment = await create_assessment(session, respondent)
    await save_interview_state(session=session, assessment=assessment, state=STATE)
    await save_interview_state(session=session, assessment=assessment, state=STATE)
    changed = InterviewState(
        profile=STATE.profile,
        question_set=STATE.question_set,
        answers=MappingProxyType({**STATE.answers, "q2": 2}),
        cursor=3,
    )
    await save_interview_state(session=session, assessment=assessment, state=changed)
    await session.commit()

    assert await _answer_count(session, assessment) == 3
    state = await load_interview_state(session=session, assessment=assessment)
    assert state.answers == {"q1": 4, "q2": 2, "q3": 0}


async def test_saving_from_a_stale_version_fails(
    session_factory: async_sessionmaker[AsyncSession], respondent: Respondent
) -> None:
    async with session_factory() as session:
        assessment_id = (await create_assessment(session, respondent)).id
    assert assessment_id is not None
    async with session_factory() as first, session_factory() as second:
        theirs = await get_assessment(session=second, assessment_id=assessment_id)
        # Its read ends here: on SQLite a transaction holds the write lock from its start.
        await second.commit()
        mine = await get_assessment(session=first, assessment_id=assessment_id)
        assert mine is not None
        assert theirs is not None

        await save_interview_state(session=first, assessment=mine, state=STATE)
        await first.commit()
        with pytest.raises(StaleAssessmentError, match=f"assessment {assessment_id}"):
            await save_interview_state(session=second, assessment=theirs, state=STATE)
        await second.rollback()

    async with session_factory() as session:
        stored = await get_assessment(session=session, assessment_id=assessment_id)
        assert stored is not None
        assert stored.version == 1


async def test_only_one_of_two_concurrent_saves_wins(
    session_factory: async_sessionmaker[AsyncSession], respondent: Respondent
) -> None:
    async with session_factory() as session:
        assessment_id = (await create_assessment(session, respondent)).id
    assert assessment_id is not None
    both_read = asyncio.Barrier(2)

    async def save(cursor: int) -> bool:
        state = InterviewState(profile=PROFILE, cursor=cursor)
        try:
            async with session_factory() as session:
                # Each reads in a transaction of its own: on SQLite a transaction holds the
                # write lock from its start, so two can never both be between read and write.
                async with session.begin():
                    assessment = await get_assessment(session=session, assessment_id=assessment_id)
                assert assessment is not None
                await both_read.wait()  # both have read version 0 before either writes
                async with session.begin():
                    await save_interview_state(session=session, assessment=assessment, state=state)
        except StaleAssessmentError:
            return False
        return True

    assert sorted(await asyncio.gather(save(1), save(2))) == [False, True]


async def test_saving_a_closed_assessment_fails(
    session: AsyncSession, respondent: Respondent
) -> None:
    assessment = await create_assessment(session, respondent)
    await cancel_assessment(session=session, assessment=assessment)
    with pytest.raises(StaleAssessmentError):
        await save_interview_state(session=session, assessment=assessment, state=STATE)


async def test_complete_assessment_writes_results(
    session: AsyncSession, respondent: Respondent
) -> None:
    assessment = await create_assessment(session, respondent)
    await save_interview_state(session=session, assessment=assessment, state=STATE)
    await complete_assessment(session=session, assessment=assessment, readiness=sample_readiness())
    await session.commit()
    session.expunge_all()

    assert assessment.id is not None
    stored = await get_assessment(session=session, assessment_id=assessment.id)
    assert stored is not None
    assert stored.status == AssessmentStatus.COMPLETED
    assert stored.completed_at is not None
    assert stored.completed_at.tzinfo is not None
    assert (stored.readiness_index, stored.stage, stored.version) == (50.0, "experimentation", 2)
    subfactors = await get_subfactor_results(session=session, assessment_id=assessment.id)
    assert [
        (r.subfactor_key, r.factor_key, r.score, r.confidence, r.effect) for r in subfactors
    ] == [
        ("user_training", "human", None, 0.0, None),
        ("capital_budgeting", "managerial", 25.0, 1.0, "obstacle"),
        ("transparency", "managerial", 75.0, 1.0, "driver"),
    ]
    factors = await get_factor_results(session=session, assessment_id=assessment.id)
    assert [(r.factor_key, r.score) for r in factors] == [("human", None), ("managerial", 50.0)]
    assert respondent.id is not None
    assert await get_active_assessment(session=session, respondent_id=respondent.id) is None


async def test_an_assessment_completes_only_once(
    session: AsyncSession, respondent: Respondent
) -> None:
    assessment = await create_assessment(session, respondent)
    await complete_assessment(session=session, assessment=assessment, readiness=sample_readiness())
    with pytest.raises(StaleAssessmentError):
        await complete_assessment(
            session=session, assessment=assessment, readiness=sample_readiness()
        )


async def test_latest_completed_assessment(session: AsyncSession, respondent: Respondent) -> None:
    assert respondent.id is not None
    assert (
        await get_latest_completed_assessment(session=session, respondent_id=respondent.id) is None
    )
    completed = []
    for _ in range(2):
        assessment = await create_assessment(session, respondent)
        await complete_assessment(
            session=session, assessment=assessment, readiness=sample_readiness()
        )
        completed.append(assessment)
    await create_assessment(session, respondent)  # active, not completed

    latest = await get_latest_completed_assessment(session=session, respondent_id=respondent.id)
    assert latest is completed[1]
    previous = await get_latest_completed_assessment(
        session=session, respondent_id=respondent.id, before_id=completed[1].id
    )
    assert previous is completed[0]
