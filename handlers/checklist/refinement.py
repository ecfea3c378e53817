"""Refinement: a completed short checklist's top priorities asked in detail, and its end
(/cancel stops a refinement as it stops an assessment)."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.checklist.base import ChecklistBase
from handlers.checklist.steps import Cancelled, Refusal, Step
from handlers.respondents import locale_of
from knowledge import (
    Event,
    GoBack,
    InterviewState,
    KnowledgeBase,
    Locale,
    Notice,
    QuestionSet,
    Refine,
    advance,
)
from knowledge.assessment import assess
from knowledge.refinement import refinement
from storage import assessments as assessment_store
from storage.models import Assessment, AssessmentStatus

__all__ = ["RefinementCases", "before_refinement"]


class RefinementCases(ChecklistBase):
    """Reopen a completed short checklist for detailed questions, or give the refinement up."""

    async def refine(
        self, *, telegram_id: int, language_code: str | None, assessment_id: int
    ) -> Step:
        """Reopen the presser's latest completed short checklist for its top priorities'
        detailed questions, and show the first; a second press shows where the person is."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            locale = locale_of(respondent)
            active = await assessment_store.get_active_assessment(
                session=session, respondent_id=respondent.id, for_update=True
            )
            owned = await assessment_store.get_assessment(
                session=session, assessment_id=assessment_id
            )
            if owned is None or owned.respondent_id != respondent.id:
                _, kb = await self._knowledge.active()
                return Step(locale=locale, kb=kb, refusal=Refusal.NOT_YOURS)
            kb = await self._knowledge.revision(owned.kb_revision)
            latest = await assessment_store.get_latest_completed_assessment(
                session=session, respondent_id=respondent.id
            )
            refusal = None
            if active is not None:
                refusal = Refusal.BUSY
            elif latest is None or latest.id != owned.id:
                refusal = Refusal.OUTDATED
            elif owned.refined_at is not None:
                refusal = Refusal.REFINED
            if refusal is not None:
                return Step(locale=locale, kb=kb, refusal=refusal)
            state = await assessment_store.load_interview_state(session=session, assessment=owned)
            if state.refined:  # pressed again: carry on where the refinement is
                return await self._show(session, respondent, owned, notice=Notice.STALE)
            if state.question_set is not QuestionSet.CORE:
                return Step(locale=locale, kb=kb, refusal=Refusal.INVALID)
            plan = refinement(kb, assess(kb, QuestionSet.CORE, state.answers))
            transition = advance(kb, state, Refine(plan.subfactor_keys))
            if plan.is_empty or not transition.changed:
                return Step(locale=locale, kb=kb, refusal=Refusal.INVALID)
            await assessment_store.save_interview_state(
                session=session, assessment=owned, state=transition.state, previous=state
            )
            return await self._show(session, respondent, owned, state=transition.state)

    async def cancel(
        self, *, telegram_id: int, language_code: str | None, assessment_id: int | None = None
    ) -> tuple[Locale, Cancelled | None]:
        """Cancel the active assessment (only if it is `assessment_id`, when given), else stop
        a refinement; None when there was neither."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            active = await assessment_store.get_active_assessment(
                session=session, respondent_id=respondent.id, for_update=True
            )
            if active is not None:
                if assessment_id not in (None, active.id):  # confirmed for an older one
                    return locale_of(respondent), None
                await assessment_store.cancel_assessment(session=session, assessment=active)
                return locale_of(respondent), Cancelled.ASSESSMENT
            if assessment_id is not None:  # a confirmation for an assessment already closed
                return locale_of(respondent), None
            refining = await assessment_store.get_refining_assessment(
                session=session, respondent_id=respondent.id
            )
            if refining is None:
                return locale_of(respondent), None
            await self._abandon_refinement(session, refining)
            return locale_of(respondent), Cancelled.REFINEMENT

    async def _abandon_refinement(self, session: AsyncSession, assessment: Assessment) -> None:
        """Back to the completed short checklist: the refinement's answers go, results stay."""
        kb = await self._knowledge.revision(assessment.kb_revision)
        state = await assessment_store.load_interview_state(session=session, assessment=assessment)
        if state.question_set is None:
            return
        core = kb.questions(state.question_set)
        kept = {q.id: state.answers[q.id] for q in core if q.id in state.answers}
        settled = replace(state, refined=(), cursor=len(core), answers=MappingProxyType(kept))
        await assessment_store.save_interview_state(
            session=session, assessment=assessment, state=settled, previous=state
        )


def before_refinement(
    kb: KnowledgeBase, assessment: Assessment, state: InterviewState, event: Event
) -> bool:
    """Whether `event` would go back from a refinement into the completed short checklist."""
    return (
        isinstance(event, GoBack)
        and assessment.status == AssessmentStatus.COMPLETED
        and state.question_set is not None
        and state.cursor <= len(kb.questions(state.question_set))
    )
