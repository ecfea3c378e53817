"""What every checklist use case shares: the services it runs on and the respondent look-up.

The use cases live in one module per concern (profile, refinement, results, the interview in
service.py); each is a part of `Checklist`, which inherits them all.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.checklist.steps import ChecklistObserver, Step
from handlers.knowledge_store import KnowledgeStore
from handlers.respondents import locale_of, respondent_for
from handlers.statistics.sector_means import SectorMeans
from knowledge import Event, InterviewState, Locale, Notice, Readiness, View
from storage import assessments as assessment_store
from storage import respondents as respondent_store
from storage.db import engine_of
from storage.models import Assessment, Respondent

__all__ = ["ChecklistBase"]


class ChecklistBase:
    """The session factory (and its engine), the knowledge base and the settings every
    checklist part uses."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        knowledge: KnowledgeStore,
        *,
        default_locale: Locale = "fa",
        observer: ChecklistObserver | None = None,
        sector_means: SectorMeans | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._engine = engine_of(session_factory)  # an answer needs a connection, no session
        self._sector_means = sector_means or SectorMeans(k=5, ttl=0)
        self._knowledge = knowledge
        self._default_locale = default_locale
        self._observer = observer

    async def locale(self, *, telegram_id: int, language_code: str | None) -> Locale:
        """The respondent's stored language, else one from Telegram's language_code."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
        return locale_of(respondent)

    async def set_language(self, *, telegram_id: int, language: Locale) -> None:
        """Remember the respondent's chosen language."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language)
            assert respondent.id is not None
            await respondent_store.set_respondent_language(
                session=session, respondent_id=respondent.id, language=language
            )

    async def _respondent(
        self, session: AsyncSession, telegram_id: int, language_code: str | None
    ) -> Respondent:
        return await respondent_for(session, telegram_id, language_code, self._default_locale)

    async def _respondent_and_active(
        self, session: AsyncSession, telegram_id: int, language_code: str | None
    ) -> tuple[Respondent, Assessment | None]:
        """The respondent (registered on first contact) and their active assessment, locked
        for this transaction: for someone known, one read on SQLite (an answer's hot path)."""
        found = await assessment_store.get_respondent_and_active_assessment(
            session=session, telegram_id=telegram_id
        )
        if found is not None and found[0].blocked_at is None:
            return found
        # A newcomer is registered, and someone who had blocked the bot is no longer marked.
        respondent = await self._respondent(session, telegram_id, language_code)
        assert respondent.id is not None
        active = await assessment_store.get_active_assessment(
            session=session, respondent_id=respondent.id, for_update=True
        )
        return respondent, active

    # The parts call each other through these; `Checklist` and `RefinementCases` define them.
    async def _show(
        self,
        session: AsyncSession,
        respondent: Respondent,
        assessment: Assessment,
        *,
        notice: Notice | None = None,
        resumed: bool = False,
        state: InterviewState | None = None,
        as_results: bool = False,
        readiness: Readiness | None = None,
        view: View | None = None,
    ) -> Step:
        raise NotImplementedError

    async def _apply(
        self, session: AsyncSession, assessment: Assessment, state: InterviewState, event: Event
    ) -> tuple[Notice | None, InterviewState, Readiness | None]:
        raise NotImplementedError

    async def _abandon_refinement(self, session: AsyncSession, assessment: Assessment) -> None:
        raise NotImplementedError
