"""Check-ins: claim the due steps to ask about, one per person and local day, in daytime.

A claim is committed before the message is sent (storage.plan_check_ins: one replica wins
each). Quiet hours are 21:00 to 08:00 in the person's time zone: Iran's for Persian speakers
unless set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.i18n import locale_for
from handlers.knowledge_store import KnowledgeStore
from knowledge import Locale, Text
from storage import assessments as assessment_store
from storage import plan_check_ins as claim_store
from storage import plans as plan_store
from storage import respondents as respondent_store

__all__ = ["DEFAULT_TIME_ZONES", "CheckIn", "CheckIns", "known_zone", "step_text", "zone_for"]

DEFAULT_TIME_ZONES: dict[Locale, str] = {"fa": "Asia/Tehran", "en": "UTC"}


@dataclass(frozen=True)
class CheckIn:
    """One claimed check-in: whom to ask, about which step, in which language."""

    plan_step_id: int
    respondent_id: int
    telegram_id: int
    locale: Locale
    text: Text
    due_on: date
    day: str
    claimed_at: datetime


class _Lost(Exception):
    """Another replica took the claim first: roll this transaction back."""


class CheckIns:
    """Claim due check-ins and settle each claim after sending."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        knowledge: KnowledgeStore,
        *,
        default_locale: Locale = "fa",
        interval: timedelta = timedelta(minutes=15),
        quiet_from: int = 21,
        quiet_until: int = 8,
    ) -> None:
        self._session_factory = session_factory
        self._knowledge = knowledge
        self._default_locale = default_locale
        # How often the job looks for due check-ins.
        self.interval = interval
        self.quiet_from, self.quiet_until = quiet_from, quiet_until

    async def claim_due(self, *, now: datetime) -> list[CheckIn]:
        """Claim (and commit) the check-ins to send at `now`: one step per person and day."""
        async with self._session_factory() as session, session.begin():
            due = await claim_store.due_check_ins(session=session, now=now)
        claimed: list[CheckIn] = []
        seen: set[int] = set()
        for item in due:
            if item.respondent_id in seen:
                continue
            seen.add(item.respondent_id)
            locale = locale_for(item.language, self._default_locale)
            local = now.astimezone(zone_for(item.time_zone, locale))
            if not self.quiet_until <= local.hour < self.quiet_from:
                continue  # quiet hours: asked on a later run
            day = local.date().isoformat()
            if item.last_checkin_day == day:
                continue
            check_in = await self._claim(item, locale, day, now)
            if check_in is not None:
                claimed.append(check_in)
        return claimed

    async def release(self, *, check_in: CheckIn) -> None:
        """Give a claim back after a failure that surely sent nothing."""
        async with self._session_factory() as session, session.begin():
            await claim_store.release_check_in(
                session=session,
                plan_step_id=check_in.plan_step_id,
                respondent_id=check_in.respondent_id,
                day=check_in.day,
                now=check_in.claimed_at,
            )

    async def record_blocked(self, *, telegram_id: int) -> None:
        """Telegram refused with 403: the person blocked the bot; ask them nothing more."""
        async with self._session_factory() as session, session.begin():
            await respondent_store.mark_respondent_blocked(session=session, telegram_id=telegram_id)

    async def _claim(
        self, item: claim_store.DueCheckIn, locale: Locale, day: str, now: datetime
    ) -> CheckIn | None:
        try:
            async with self._session_factory() as session, session.begin():
                won = await claim_store.claim_check_in(
                    session=session,
                    plan_step_id=item.plan_step_id,
                    respondent_id=item.respondent_id,
                    day=day,
                    now=now,
                )
                if not won:
                    raise _Lost
                step = await session.get(plan_store.PlanStep, item.plan_step_id)
                assert step is not None
                text = await step_text(session, self._knowledge, step.assessment_id, step.step_id)
                zone = zone_for(item.time_zone, locale)
                return CheckIn(
                    item.plan_step_id,
                    item.respondent_id,
                    item.telegram_id,
                    locale,
                    text,
                    step.due_at.astimezone(zone).date(),
                    day,
                    now,
                )
        except _Lost:
            return None


async def step_text(
    session: AsyncSession, knowledge: KnowledgeStore, assessment_id: int, step_id: str
) -> Text:
    """A committed step's wording for its assessment's profile, from that assessment's KB."""
    assessment = await assessment_store.get_assessment(session=session, assessment_id=assessment_id)
    assert assessment is not None
    kb = await knowledge.revision(assessment.kb_revision)
    profile = {k: v for k, v in (("sector", assessment.sector), ("region", assessment.region)) if v}
    text, _ = kb.step(step_id).for_profile(profile)
    return text


def known_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows (Asia/Tehran, Europe/Berlin)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_for(name: str | None, locale: Locale) -> ZoneInfo:
    """The person's time zone: theirs when set and known, else their language's default."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONES[locale])
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONES[locale])
