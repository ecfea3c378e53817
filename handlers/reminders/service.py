"""Reminder use cases: claim the due reminders, and record what happened when sending them.

No Telegram objects here: the job in `handlers.reminders.telegram` sends the messages. A claim is
committed before anything is sent, so each unfinished assessment is reminded at most once,
whichever process or replica claims it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.i18n import locale_for
from handlers.knowledge_store import KnowledgeStore
from knowledge import Locale, QuestionSet
from storage import reminders as reminder_store
from storage import respondents as respondent_store

__all__ = ["Reminder", "Reminders"]


@dataclass(frozen=True)
class Reminder:
    """One claimed reminder: whom to write to, in which language, and where they stopped.

    `number` and `total` place them in the questions; both are None while the profile (or the
    choice of checklist) is unfinished.
    """

    assessment_id: int
    telegram_id: int
    locale: Locale
    claimed_at: datetime
    number: int | None = None
    total: int | None = None


class Reminders:
    """Claim unfinished assessments idle for `delay` and settle each claim after sending."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        knowledge: KnowledgeStore,
        *,
        delay: timedelta,
        default_locale: Locale = "fa",
        batch_size: int = 100,
        interval: timedelta = timedelta(minutes=5),
    ) -> None:
        self._session_factory = session_factory
        self._knowledge = knowledge
        self.delay = delay
        # How often the job looks for due reminders.
        self.interval = interval
        self.batch_size = batch_size
        self._default_locale = default_locale

    async def claim_due(self, *, now: datetime) -> list[Reminder]:
        """Claim (and commit) up to one batch of reminders due at `now`."""
        async with self._session_factory() as session, session.begin():
            due = await reminder_store.claim_due_reminders(
                session=session, now=now, delay=self.delay, limit=self.batch_size
            )
        return [await self._reminder(item) for item in due]

    async def record_blocked(self, *, telegram_id: int) -> None:
        """Telegram refused with 403: the person blocked the bot; claim nothing for them again."""
        async with self._session_factory() as session, session.begin():
            await respondent_store.mark_respondent_blocked(session=session, telegram_id=telegram_id)

    async def release(self, *, reminder: Reminder) -> None:
        """Give the claim back after a transient failure, so that the next run tries again."""
        async with self._session_factory() as session, session.begin():
            await reminder_store.release_reminder(
                session=session,
                assessment_id=reminder.assessment_id,
                claimed_at=reminder.claimed_at,
            )

    async def _reminder(self, due: reminder_store.DueReminder) -> Reminder:
        number = total = None
        if due.question_set is not None:
            kb = await self._knowledge.revision(due.kb_revision)
            total = len(kb.questions(QuestionSet(due.question_set)))
            number = min(due.cursor + 1, total)
        return Reminder(
            assessment_id=due.assessment_id,
            telegram_id=due.telegram_id,
            locale=locale_for(due.language, self._default_locale),
            claimed_at=due.claimed_at,
            number=number,
            total=total,
        )
