"""Results look-ups: the latest results again, a results button's own assessment, and the KB
revision evidence is read under."""

from __future__ import annotations

from handlers.checklist.base import ChecklistBase
from handlers.checklist.steps import Results, Step
from handlers.respondents import locale_of
from knowledge import Locale
from storage import assessments as assessment_store
from storage.models import AssessmentStatus

__all__ = ["ResultsCases"]


class ResultsCases(ChecklistBase):
    """Completed assessments shown again, recomputed under their own KB revision."""

    async def latest_results(self, *, telegram_id: int, language_code: str | None) -> Step:
        """The respondent's latest completed results, recomputed under their own KB revision."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            done = await assessment_store.get_latest_completed_assessment(
                session=session, respondent_id=respondent.id
            )
            if done is None:
                _, kb = await self._knowledge.active()
                return Step(locale=locale_of(respondent), kb=kb)
            return await self._show(session, respondent, done, as_results=True)

    async def completed_results(
        self, *, telegram_id: int, language_code: str | None, assessment_id: int | None
    ) -> tuple[Locale, Results | None]:
        """The results of `assessment_id` when it is the presser's own and completed, else None
        (a forged id, someone else's, one cancelled or still open, or one deleted by /forget)."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            locale = locale_of(respondent)
            if assessment_id is None:
                return locale, None
            assessment = await assessment_store.get_assessment(
                session=session, assessment_id=assessment_id
            )
            if (
                assessment is None
                or assessment.respondent_id != respondent.id
                or assessment.status != AssessmentStatus.COMPLETED
            ):
                return locale, None
            step = await self._show(session, respondent, assessment, as_results=True)
            return locale, step.results

    async def evidence_revision(
        self, *, telegram_id: int, language_code: str | None, of_results: bool = False
    ) -> tuple[Locale, int]:
        """The locale and the KB revision for evidence: active, or that of the latest results."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            done = None
            if of_results:
                done = await assessment_store.get_latest_completed_assessment(
                    session=session, respondent_id=respondent.id
                )
        if done is not None:
            return locale_of(respondent), done.kb_revision
        revision, _ = await self._knowledge.active()
        return locale_of(respondent), revision
