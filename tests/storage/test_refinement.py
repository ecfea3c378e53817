"""Refinement in storage: old rows survive 0007, and a finished refinement replaces results."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from alembic import command
from sqlalchemy import Connection, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from knowledge import InterviewState, KnowledgeBase, QuestionSet, assess
from knowledge.refinement import refinement
from storage import assessments as store
from storage.db import build_alembic_config, upgrade_database
from storage.models import Assessment, AssessmentScore, AssessmentStatus, SubFactorResult
from tests.storage.factories import PROFILE, create_assessment, create_respondent

CORE_VALUES = [4, 3, 1, 0, 2, 4, None, 3, 0, 1, 4, 4, 2, 0, 3, 1]


async def _complete_core(session: AsyncSession, kb: KnowledgeBase) -> Assessment:
    """A committed completed short checklist with CORE_VALUES."""
    respondent = await create_respondent(session)
    assessment = await create_assessment(session, respondent, PROFILE)
    core = kb.questions(QuestionSet.CORE)
    answers = {q.id: v for q, v in zip(core, CORE_VALUES, strict=True)}
    state = InterviewState(
        profile=MappingProxyType(dict(PROFILE)),
        question_set=QuestionSet.CORE,
        answers=MappingProxyType(answers),
        cursor=len(core),
    )
    await store.save_interview_state(session=session, assessment=assessment, state=state)
    await store.complete_assessment(
        session=session, assessment=assessment, readiness=assess(kb, QuestionSet.CORE, answers)
    )
    await session.commit()
    return assessment


def _downgrade(connection: Connection, revision: str) -> None:
    config = build_alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def test_assessments_from_before_0007_load_as_not_refined(
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    shipped_kb: KnowledgeBase,
) -> None:
    async with session_factory() as session:
        done = await _complete_core(session, shipped_kb)
        done_id, respondent_id = done.id, done.respondent_id
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade, "0006_record_keys")
    await upgrade_database(engine)

    async with session_factory() as session:
        old = await store.get_assessment(session=session, assessment_id=done_id or 0)
        assert old is not None
        assert old.refined is None and old.refined_at is None
        assert old.status == AssessmentStatus.COMPLETED
        state = await store.load_interview_state(session=session, assessment=old)
        assert state.refined == ()
        assert len(state.answers) == 16
        assert (
            await store.get_refining_assessment(session=session, respondent_id=respondent_id)
            is None
        )


async def test_a_finished_refinement_replaces_the_results_in_place(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    kb = shipped_kb
    async with session_factory() as session:
        done = await _complete_core(session, kb)
        state = await store.load_interview_state(session=session, assessment=done)
        plan = refinement(kb, assess(kb, QuestionSet.CORE, state.answers))
        refining = replace(state, refined=plan.subfactor_keys)
        await store.save_interview_state(
            session=session, assessment=done, state=refining, previous=state
        )
        await session.commit()
        # Under way: found as the respondent's refinement, still completed with its results.
        assert done.status == AssessmentStatus.COMPLETED
        found = await store.get_refining_assessment(
            session=session, respondent_id=done.respondent_id
        )
        assert found is not None and found.id == done.id
        loaded = await store.load_interview_state(session=session, assessment=done)
        assert loaded.refined == plan.subfactor_keys

        answers = {**state.answers, **{q.id: 0 for q in plan.questions}}
        finished = replace(
            refining, answers=MappingProxyType(answers), cursor=16 + len(plan.questions)
        )
        await store.save_interview_state(
            session=session, assessment=done, state=finished, previous=loaded
        )
        readiness = assess(kb, QuestionSet.CORE, answers, refined=plan.subfactor_keys)
        await store.complete_refinement(session=session, assessment=done, readiness=readiness)
        await session.commit()

        assert done.refined_at is not None
        assert done.readiness_index == readiness.index
        assert (
            await store.get_refining_assessment(session=session, respondent_id=done.respondent_id)
            is None
        )
        results = await store.get_subfactor_results(session=session, assessment_id=done.id or 0)
        assert len(results) == 16
        scores = {r.subfactor_key: r.score for r in results}
        for key in plan.subfactor_keys:
            assert scores[key] == readiness.subfactor(key).score
            assert readiness.subfactor(key).asked == len(kb.subfactor(key).asked_questions)
        rows = await session.scalar(
            select(func.count())
            .select_from(AssessmentScore)
            .where(AssessmentScore.c.assessment_id == done.id)
        )
        assert rows == 1
        total = await session.scalar(select(func.count()).select_from(SubFactorResult))
        assert total == 16
