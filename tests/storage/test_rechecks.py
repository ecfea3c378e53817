"""Sub-factor rechecks and plan progress on a real database: one row per plan and sub-factor,
one offer, answers kept in order (a stale press writes nothing), steps counted per sub-factor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage import plan_progress
from storage import rechecks as store
from storage.models import Respondent
from storage.plans import NewStep, StepStatus, answer_check_in, commit_steps, list_plan_steps
from storage.respondents import forget_respondent
from tests.storage.factories import create_assessment

NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)


async def test_a_recheck_is_offered_once_and_keeps_its_answers_in_order(
    session: AsyncSession, respondent: Respondent
) -> None:
    assert respondent.id is not None
    plan = await create_assessment(session, respondent)
    assert plan.id is not None
    first = await store.ensure_recheck(
        session=session, respondent_id=respondent.id, plan_assessment_id=plan.id, subfactor_key="k"
    )
    again = await store.ensure_recheck(
        session=session, respondent_id=respondent.id, plan_assessment_id=plan.id, subfactor_key="k"
    )
    assert first.id == again.id
    assert await store.mark_offered(session=session, recheck=first, now=NOW)
    assert not await store.mark_offered(session=session, recheck=first, now=NOW)

    await store.start_recheck(session=session, recheck=first, base_assessment_id=plan.id, now=NOW)
    assert await store.record_recheck_answer(
        session=session, recheck=first, position=0, question_id="q1", value=3
    )
    # The same press again is stale: nothing is written.
    assert not await store.record_recheck_answer(
        session=session, recheck=first, position=0, question_id="q1", value=0
    )
    assert await store.record_recheck_answer(
        session=session, recheck=first, position=1, question_id="q2", value=None
    )
    assert (first.position, first.given) == (2, {"q1": 3, "q2": None})
    await store.complete_recheck(
        session=session, recheck=first, result_assessment_id=plan.id, now=NOW
    )
    assert not await store.record_recheck_answer(
        session=session, recheck=first, position=2, question_id="q3", value=1
    )
    assert (
        await store.get_recheck(session=session, recheck_id=first.id or 0, respondent_id=0) is None
    )
    assert [
        r.id for r in await store.list_rechecks(session=session, respondent_id=respondent.id)
    ] == [first.id]


async def test_steps_are_counted_done_of_committed_per_plan_and_sub_factor(
    session: AsyncSession, respondent: Respondent
) -> None:
    assert respondent.id is not None
    plan = await create_assessment(session, respondent)
    assert plan.id is not None
    due = NOW + timedelta(days=30)
    steps = [NewStep(f"s{i}", "a" if i < 3 else "b", "d30", due) for i in range(4)]
    await commit_steps(
        session=session, respondent_id=respondent.id, assessment_id=plan.id, steps=steps
    )
    rows = await list_plan_steps(session=session, respondent_id=respondent.id)
    for row in rows[:2]:
        await answer_check_in(session=session, step=row, status=StepStatus.DONE, now=NOW)
    await answer_check_in(session=session, step=rows[3], status=StepStatus.BLOCKED, now=NOW)

    counted = await plan_progress.steps_by_subfactor(session=session, respondent_id=respondent.id)
    assert counted == [
        plan_progress.SubFactorSteps(plan.id, "a", 3, 2),
        plan_progress.SubFactorSteps(plan.id, "b", 1, 0),
    ]
    totals = await plan_progress.steps_done_by_subfactor(
        session=session, respondent_id=respondent.id
    )
    assert totals == {"a": (2, 3), "b": (0, 1)}
    assert await plan_progress.steps_by_subfactor(session=session, respondent_id=0) == []


async def test_forget_removes_the_rechecks(session: AsyncSession, respondent: Respondent) -> None:
    assert respondent.id is not None
    plan = await create_assessment(session, respondent)
    assert plan.id is not None
    await store.ensure_recheck(
        session=session, respondent_id=respondent.id, plan_assessment_id=plan.id, subfactor_key="k"
    )
    await session.commit()
    await forget_respondent(session=session, telegram_id=respondent.telegram_id)
    await session.commit()
    assert await store.list_rechecks(session=session, respondent_id=respondent.id) == []
