"""Committed plan steps on top of the statistics test data, with a planted note that no
statistics surface may ever show (the free text of a blocked reason)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from knowledge import KnowledgeBase, QuestionSet, advise, assess
from storage.models import Assessment, AssessmentStatus
from storage.plans import (
    NewStep,
    StepStatus,
    answer_check_in,
    commit_steps,
    list_plan_steps,
    set_blocked_note,
)

#: Typed by each respondent as the note on their blocked step: never in any statistics.
PLANTED_NOTE = "Minister Karimi's office refuses to sign"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def plan_steps(kb: KnowledgeBase) -> list[NewStep]:
    """The first two steps of a plan, as a person commits to them."""
    answers = {q.id: 1 for q in kb.questions(QuestionSet.CORE)}
    steps = advise(kb, assess(kb, QuestionSet.CORE, answers)).plan.steps[:2]
    return [NewStep(s.step_id, s.subfactors[0], s.horizon.value, NOW) for s in steps]


async def seed_plans(
    session_factory: async_sessionmaker[AsyncSession], kb: KnowledgeBase
) -> list[NewStep]:
    """Every completed assessment commits to plan_steps(kb): the first blocked ("other",
    with PLANTED_NOTE), the second done."""
    steps = plan_steps(kb)
    async with session_factory() as session, session.begin():
        completed = await session.execute(
            select(col(Assessment.id), col(Assessment.respondent_id)).where(
                col(Assessment.status) == AssessmentStatus.COMPLETED.value
            )
        )
        rows = completed.all()
        for assessment_id, respondent_id in rows:
            await commit_steps(
                session=session,
                respondent_id=respondent_id,
                assessment_id=assessment_id,
                steps=steps,
            )
        for respondent_id in {respondent for _, respondent in rows}:
            for step in await list_plan_steps(session=session, respondent_id=respondent_id):
                if step.step_id == steps[0].step_id:
                    await answer_check_in(
                        session=session,
                        step=step,
                        status=StepStatus.BLOCKED,
                        now=NOW,
                        reason="other",
                    )
                    await set_blocked_note(session=session, step=step, note=PLANTED_NOTE)
                else:
                    await answer_check_in(
                        session=session, step=step, status=StepStatus.DONE, now=NOW
                    )
    return steps
