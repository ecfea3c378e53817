"""Re-assessment: a completed assessment against the respondent's previous completed one."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.knowledge_store import KnowledgeStore
from knowledge import Comparison, Readiness, assess, compare
from storage import assessments as assessment_store
from storage.models import Assessment

__all__ = ["compare_with_previous"]


async def compare_with_previous(
    *,
    session: AsyncSession,
    knowledge: KnowledgeStore,
    assessment: Assessment,
    readiness: Readiness,
) -> Comparison | None:
    """The change since the previous completed assessment, scored under its own KB revision.

    None for a first assessment.
    """
    assert assessment.id is not None
    previous = await assessment_store.get_latest_completed_assessment(
        session=session, respondent_id=assessment.respondent_id, before_id=assessment.id
    )
    if previous is None:
        return None
    state = await assessment_store.load_interview_state(session=session, assessment=previous)
    if state.question_set is None:
        return None
    kb = await knowledge.revision(previous.kb_revision)
    return compare(assess(kb, state.question_set, state.answers, refined=state.refined), readiness)
