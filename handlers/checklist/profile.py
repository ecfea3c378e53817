"""The checklist's profile use cases: a deep link's organisation, keeping a finished
assessment's profile for the next one, and changing the organisation a link preset."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.checklist.base import ChecklistBase
from handlers.checklist.steps import Refusal, Step
from handlers.respondents import locale_of
from knowledge import KnowledgeBase, Locale
from storage import assessments as assessment_store
from storage import organisations as organisation_store
from storage.models import AssessmentStatus

__all__ = ["ProfileCases"]


class ProfileCases(ChecklistBase):
    """Where a new assessment's profile comes from, and how it changes before the questions."""

    async def previous_profile(
        self, *, telegram_id: int, language_code: str | None
    ) -> tuple[Locale, int | None, Mapping[str, str]]:
        """With no assessment or refinement in progress: the latest completed one's id and
        profile, to offer keeping it; else (None, {})."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            locale = locale_of(respondent)
            active = await assessment_store.get_active_assessment(
                session=session, respondent_id=respondent.id
            )
            done = None
            refining = await assessment_store.get_refining_assessment(
                session=session, respondent_id=respondent.id
            )
            if active is None and refining is None:  # a refinement resumes instead
                done = await assessment_store.get_latest_completed_assessment(
                    session=session, respondent_id=respondent.id
                )
            if done is None:
                return locale, None, {}
            state = await assessment_store.load_interview_state(session=session, assessment=done)
            return locale, done.id, dict(state.profile)

    async def change_organisation(
        self, *, telegram_id: int, language_code: str | None, assessment_id: int
    ) -> Step:
        """Forget the organisation a deep link preset, so that the interview asks for it."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            active = await assessment_store.get_active_assessment(
                session=session, respondent_id=respondent.id, for_update=True
            )
            if active is None or active.id != assessment_id:
                _, kb = await self._knowledge.active()
                return Step(locale=locale_of(respondent), kb=kb, refusal=Refusal.CLOSED)
            state = await assessment_store.load_interview_state(session=session, assessment=active)
            if state.question_set is None:  # only before the questions: the profile is open
                profile = {k: v for k, v in state.profile.items() if k != "organisation"}
                active.org_code = None
                await assessment_store.save_interview_state(
                    session=session,
                    assessment=active,
                    state=replace(state, profile=profile),
                    previous=state,
                )
            return await self._show(session, respondent, active)

    async def _preset_organisation(
        self, session: AsyncSession, org_code: str | None
    ) -> tuple[str | None, str | None, bool]:
        """A deep link's code, the registered organisation's name, and whether the code was
        unknown (an unknown code is never stored)."""
        if not org_code:
            return None, None, False
        known = await organisation_store.get_organisation_by_code(session=session, code=org_code)
        if known is None:
            return None, None, True
        return known.code, known.name, False

    async def _kept_profile(
        self, session: AsyncSession, respondent_id: int, assessment_id: int, kb: KnowledgeBase
    ) -> tuple[dict[str, str], str | None]:
        """The profile of the respondent's own completed assessment, without options the
        active KB no longer lists; ({}, None) for anything else."""
        done = await assessment_store.get_assessment(session=session, assessment_id=assessment_id)
        if (
            done is None
            or done.respondent_id != respondent_id
            or done.status != AssessmentStatus.COMPLETED
        ):
            return {}, None
        state = await assessment_store.load_interview_state(session=session, assessment=done)
        lists = {
            "sector": kb.profile.sectors,
            "region": kb.profile.regions,
            "role": kb.profile.roles,
        }
        kept = {
            name: value
            for name, value in state.profile.items()
            if name not in lists or any(c.key == value for c in lists[name])
        }
        return kept, done.org_code
