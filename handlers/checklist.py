"""The checklist's use cases: one transaction per update, from stored state to what to show.

No Telegram objects here: handlers pass ids and events in and render the plain values that
come back. Every change is committed before the caller replies.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.knowledge_store import KnowledgeStore
from knowledge import (
    Completed,
    Event,
    InterviewState,
    KnowledgeBase,
    Locale,
    Notice,
    SetProfile,
    View,
    advance,
    current_view,
)
from knowledge.advisor import AdviceReport, advise
from knowledge.assessment import Readiness, assess
from storage import assessments as assessment_store
from storage import respondents as respondent_store
from storage.models import Assessment, AssessmentStatus, Respondent

__all__ = [
    "Checklist",
    "Refusal",
    "Results",
    "Step",
]

log = logging.getLogger(__name__)


class Refusal(StrEnum):
    """Why a button press was not applied."""

    NOT_YOURS = "not_yours"
    CLOSED = "closed"
    NO_ACTIVE = "no_active"


@dataclass(frozen=True)
class Results:
    """A completed assessment's readiness and tailored advice."""

    assessment_id: int
    kb: KnowledgeBase
    readiness: Readiness
    report: AdviceReport


@dataclass(frozen=True)
class Step:
    """What to show after an update: the current view, a notice, or the results."""

    locale: Locale
    kb: KnowledgeBase
    assessment_id: int | None = None
    view: View | None = None
    notice: Notice | None = None
    results: Results | None = None
    refusal: Refusal | None = None
    resumed: bool = False


class Checklist:
    """The respondent-facing use cases over storage and the knowledge core."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        knowledge: KnowledgeStore,
        *,
        default_locale: Locale = "fa",
    ) -> None:
        self._session_factory = session_factory
        self._knowledge = knowledge
        self._default_locale = default_locale

    async def locale(self, *, telegram_id: int, language_code: str | None) -> Locale:
        """The respondent's stored language, else one from Telegram's language_code."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
        return _locale(respondent)

    async def set_language(self, *, telegram_id: int, language: Locale) -> None:
        """Remember the respondent's chosen language."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language)
            assert respondent.id is not None
            await respondent_store.set_respondent_language(
                session=session, respondent_id=respondent.id, language=language
            )

    async def start(
        self,
        *,
        telegram_id: int,
        language_code: str | None,
        org_code: str | None = None,
        restart: bool = False,
    ) -> Step:
        """Resume the active assessment, or start one (always, with `restart`)."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            active = await assessment_store.get_active_assessment(
                session=session, respondent_id=respondent.id, for_update=True
            )
            if active is not None and not restart:
                if org_code and not active.organisation and not active.org_code:
                    state = await assessment_store.load_interview_state(
                        session=session, assessment=active
                    )
                    active.org_code = org_code
                    await self._apply(session, active, state, SetProfile("organisation", org_code))
                return await self._show(session, respondent, active, resumed=True)
            revision, _ = await self._knowledge.active()
            assessment = await assessment_store.start_assessment(
                session=session,
                respondent_id=respondent.id,
                kb_revision=revision,
                profile={"organisation": org_code} if org_code else None,
                org_code=org_code,
            )
            return await self._show(session, respondent, assessment)

    async def handle(
        self,
        *,
        telegram_id: int,
        language_code: str | None,
        event: Event,
        assessment_id: int | None = None,
    ) -> Step:
        """Apply one interview event to the respondent's active assessment and commit it.

        `assessment_id` comes from a button: it must be the presser's own active assessment.
        """
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            locale = _locale(respondent)
            if assessment_id is not None:
                owned = await assessment_store.get_assessment(
                    session=session, assessment_id=assessment_id
                )
                if owned is None or owned.respondent_id != respondent.id:
                    _, kb = await self._knowledge.active()
                    return Step(locale=locale, kb=kb, refusal=Refusal.NOT_YOURS)
                if owned.status != AssessmentStatus.ACTIVE:
                    kb = await self._knowledge.revision(owned.kb_revision)
                    return Step(locale=locale, kb=kb, refusal=Refusal.CLOSED)
            active = await assessment_store.get_active_assessment(
                session=session, respondent_id=respondent.id, for_update=True
            )
            if active is None:
                _, kb = await self._knowledge.active()
                return Step(locale=locale, kb=kb, refusal=Refusal.NO_ACTIVE)
            state = await assessment_store.load_interview_state(session=session, assessment=active)
            notice = await self._apply(session, active, state, event)
            return await self._show(session, respondent, active, notice=notice)

    async def current(self, *, telegram_id: int, language_code: str | None) -> Step:
        """The active assessment's current view, without changing anything."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            active = await assessment_store.get_active_assessment(
                session=session, respondent_id=respondent.id
            )
            if active is None:
                _, kb = await self._knowledge.active()
                return Step(locale=_locale(respondent), kb=kb, refusal=Refusal.NO_ACTIVE)
            return await self._show(session, respondent, active)

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
                return Step(locale=_locale(respondent), kb=kb)
            return await self._show(session, respondent, done)

    async def cancel(self, *, telegram_id: int, language_code: str | None) -> tuple[Locale, bool]:
        """Cancel the active assessment; False when there was none."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            active = await assessment_store.get_active_assessment(
                session=session, respondent_id=respondent.id, for_update=True
            )
            if active is None:
                return _locale(respondent), False
            await assessment_store.cancel_assessment(session=session, assessment=active)
            return _locale(respondent), True

    async def forget(self, *, telegram_id: int) -> bool:
        """Delete everything stored about this person."""
        async with self._session_factory() as session, session.begin():
            return await respondent_store.forget_respondent(
                session=session, telegram_id=telegram_id
            )

    async def _respondent(
        self, session: AsyncSession, telegram_id: int, language_code: str | None
    ) -> Respondent:
        return await respondent_store.get_or_create_respondent(
            session=session,
            telegram_id=telegram_id,
            language=_language_from(language_code, self._default_locale),
        )

    async def _apply(
        self, session: AsyncSession, assessment: Assessment, state: InterviewState, event: Event
    ) -> Notice | None:
        kb = await self._knowledge.revision(assessment.kb_revision)
        transition = advance(kb, state, event)
        if transition.changed:
            await assessment_store.save_interview_state(
                session=session, assessment=assessment, state=transition.state
            )
            if isinstance(transition.view, Completed):
                assert transition.state.question_set is not None
                readiness = assess(kb, transition.state.question_set, transition.state.answers)
                await assessment_store.complete_assessment(
                    session=session, assessment=assessment, readiness=readiness
                )
        return transition.notice

    async def _show(
        self,
        session: AsyncSession,
        respondent: Respondent,
        assessment: Assessment,
        *,
        notice: Notice | None = None,
        resumed: bool = False,
    ) -> Step:
        kb = await self._knowledge.revision(assessment.kb_revision)
        state = await assessment_store.load_interview_state(session=session, assessment=assessment)
        locale = _locale(respondent)
        view = current_view(kb, state)
        results = None
        if isinstance(view, Completed) and state.question_set is not None:
            readiness = assess(kb, state.question_set, state.answers)
            assert assessment.id is not None
            results = Results(assessment.id, kb, readiness, advise(kb, readiness))
        return Step(
            locale=locale,
            kb=kb,
            assessment_id=assessment.id,
            view=view,
            notice=notice,
            results=results,
            resumed=resumed,
        )


def _language_from(language_code: str | None, default: Locale) -> Locale:
    if not language_code:
        return default
    return "fa" if language_code.split("-")[0].lower() == "fa" else "en"


def _locale(respondent: Respondent) -> Locale:
    return "en" if respondent.language == "en" else "fa"
