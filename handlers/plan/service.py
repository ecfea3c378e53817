"""Plan use cases: commit to steps of the action plan, list them, pause, and the check-ins.

No Telegram objects here. A check-in is claimed (and committed) before it is sent, at most one
per person and local day, only between 08:00 and 21:00 in the person's time zone (Iran's for
Persian speakers unless set otherwise), and never while paused or after /forget.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.i18n import locale_for
from handlers.knowledge_store import KnowledgeStore
from knowledge import Locale, Text
from knowledge.advisor import advise
from knowledge.assessment import assess
from knowledge.plan import PlannedStep
from knowledge.steps import Horizon
from storage import assessments as assessment_store
from storage import plans as plan_store
from storage import respondents as respondent_store
from storage.models import Assessment, AssessmentStatus, Respondent
from storage.plans import StepStatus
from storage.stats import plan_steps as plan_stats

__all__ = ["DUE_AFTER", "CheckIn", "Offer", "Overview", "Plans", "ShownStep", "StepStatus"]

#: When a committed step falls due, by its group in the plan.
DUE_AFTER = {
    Horizon.D30: timedelta(days=30),
    Horizon.D90: timedelta(days=90),
    Horizon.LATER: timedelta(days=180),
}
DEFAULT_TIME_ZONES: dict[Locale, str] = {"fa": "Asia/Tehran", "en": "UTC"}


@dataclass(frozen=True)
class Offer:
    """The action plan of a completed assessment, to pick steps from."""

    assessment_id: int
    steps: tuple[PlannedStep, ...]
    committed: frozenset[str]


@dataclass(frozen=True)
class ShownStep:
    """A committed step as /plan lists it."""

    plan_step_id: int
    text: Text
    horizon: str
    due_on: date
    status: str
    blocked_reason: str | None


@dataclass(frozen=True)
class Overview:
    """The person's committed steps and whether check-ins are paused."""

    steps: tuple[ShownStep, ...]
    paused: bool
    time_zone: str


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


class Plans:
    """Commitments to plan steps and their check-ins."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        knowledge: KnowledgeStore,
        *,
        default_locale: Locale = "fa",
        interval: timedelta = timedelta(minutes=15),
        quiet_from: int = 21,
        quiet_until: int = 8,
        k: int = 5,
    ) -> None:
        self._session_factory = session_factory
        self._knowledge = knowledge
        self._default_locale = default_locale
        # How often the job looks for due check-ins.
        self.interval = interval
        self.quiet_from, self.quiet_until = quiet_from, quiet_until
        self.k = k

    async def locale(self, *, telegram_id: int, language_code: str | None) -> Locale:
        """The person's language (stored, else Telegram's)."""
        async with self._session_factory() as session, session.begin():
            return _locale(await self._respondent(session, telegram_id, language_code))

    async def offer(
        self, *, telegram_id: int, language_code: str | None, assessment_id: int
    ) -> tuple[Locale, Offer | None]:
        """The plan of `assessment_id` when it is the presser's completed assessment, else None."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assessment = await self._own_completed(session, respondent, assessment_id)
            if assessment is None:
                return _locale(respondent), None
            steps = await self._planned(session, assessment)
            assert respondent.id is not None
            committed = {
                s.step_id
                for s in await plan_store.list_plan_steps(
                    session=session, respondent_id=respondent.id
                )
                if s.assessment_id == assessment_id
            }
            return _locale(respondent), Offer(assessment_id, steps, frozenset(committed))

    async def commit(
        self,
        *,
        telegram_id: int,
        language_code: str | None,
        assessment_id: int,
        index: int | None,
        now: datetime,
    ) -> tuple[Locale, int | None]:
        """Commit to step `index` of the plan (None: every first-30-day step); how many are new.

        None when the assessment or the step is not the presser's to commit to.
        """
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            locale = _locale(respondent)
            assessment = await self._own_completed(session, respondent, assessment_id)
            if assessment is None:
                return locale, None
            steps = await self._planned(session, assessment)
            if index is None:
                chosen = [s for s in steps if s.horizon is Horizon.D30]
            elif index < len(steps):
                chosen = [steps[index]]
            else:
                return locale, None
            assert respondent.id is not None
            added = await plan_store.commit_steps(
                session=session,
                respondent_id=respondent.id,
                assessment_id=assessment_id,
                steps=[
                    plan_store.NewStep(
                        s.step_id, s.subfactors[0], s.horizon.value, now + DUE_AFTER[s.horizon]
                    )
                    for s in chosen
                ],
            )
            return locale, added

    async def overview(
        self, *, telegram_id: int, language_code: str | None
    ) -> tuple[Locale, Overview]:
        """The person's committed steps, soonest due first."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            locale = _locale(respondent)
            assert respondent.id is not None
            setting = await plan_store.get_plan_setting(
                session=session, respondent_id=respondent.id
            )
            zone = _zone(setting.time_zone if setting else None, locale)
            shown = []
            for step in await plan_store.list_plan_steps(
                session=session, respondent_id=respondent.id
            ):
                assert step.id is not None
                shown.append(
                    ShownStep(
                        step.id,
                        await self._step_text(session, step.assessment_id, step.step_id),
                        step.horizon,
                        step.due_at.astimezone(zone).date(),
                        step.status,
                        step.blocked_reason,
                    )
                )
            paused = setting is not None and setting.paused_at is not None
            return locale, Overview(tuple(shown), paused, zone.key)

    async def set_paused(
        self, *, telegram_id: int, language_code: str | None, paused: bool, now: datetime
    ) -> Locale:
        """Pause or resume the person's check-ins."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            await plan_store.set_paused(
                session=session, respondent_id=respondent.id, paused_at=now if paused else None
            )
            return _locale(respondent)

    async def answer(
        self,
        *,
        telegram_id: int,
        language_code: str | None,
        plan_step_id: int,
        status: StepStatus,
        now: datetime,
        reason: str | None = None,
    ) -> tuple[Locale, bool]:
        """Record a check-in answer about the presser's own step; False for anyone else's."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            step = await plan_store.get_plan_step(
                session=session, plan_step_id=plan_step_id, respondent_id=respondent.id
            )
            if step is None:
                return _locale(respondent), False
            await plan_store.answer_check_in(
                session=session, step=step, status=status, now=now, reason=reason
            )
            return _locale(respondent), True

    async def claim_due(self, *, now: datetime) -> list[CheckIn]:
        """Claim (and commit) the check-ins to send at `now`: one step per person and day."""
        async with self._session_factory() as session, session.begin():
            due = await plan_store.due_check_ins(session=session, now=now)
        claimed: list[CheckIn] = []
        seen: set[int] = set()
        for item in due:
            if item.respondent_id in seen:
                continue
            seen.add(item.respondent_id)
            locale = locale_for(item.language, self._default_locale)
            local = now.astimezone(_zone(item.time_zone, locale))
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
            await plan_store.release_check_in(
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

    async def statistics(self) -> tuple[list[plan_stats.StepTally], list[plan_stats.BlockerCount]]:
        """Committed steps by status and blocking reasons, per sector, below k suppressed."""
        async with self._session_factory() as session, session.begin():
            return (
                await plan_stats.step_tallies(session=session, k=self.k),
                await plan_stats.blocker_counts(session=session, k=self.k),
            )

    async def _claim(
        self, item: plan_store.DueCheckIn, locale: Locale, day: str, now: datetime
    ) -> CheckIn | None:
        try:
            async with self._session_factory() as session, session.begin():
                won = await plan_store.claim_check_in(
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
                text = await self._step_text(session, step.assessment_id, step.step_id)
                zone = _zone(item.time_zone, locale)
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

    async def _respondent(
        self, session: AsyncSession, telegram_id: int, language_code: str | None
    ) -> Respondent:
        return await respondent_store.get_or_create_respondent(
            session=session,
            telegram_id=telegram_id,
            language=locale_for(language_code, self._default_locale),
        )

    async def _own_completed(
        self, session: AsyncSession, respondent: Respondent, assessment_id: int
    ) -> Assessment | None:
        assessment = await assessment_store.get_assessment(
            session=session, assessment_id=assessment_id
        )
        if (
            assessment is None
            or assessment.respondent_id != respondent.id
            or assessment.status != AssessmentStatus.COMPLETED
        ):
            return None
        return assessment

    async def _planned(
        self, session: AsyncSession, assessment: Assessment
    ) -> tuple[PlannedStep, ...]:
        kb = await self._knowledge.revision(assessment.kb_revision)
        state = await assessment_store.load_interview_state(session=session, assessment=assessment)
        if state.question_set is None:
            return ()
        readiness = assess(kb, state.question_set, state.answers, refined=state.refined)
        return advise(kb, readiness, state.profile).plan.steps

    async def _step_text(self, session: AsyncSession, assessment_id: int, step_id: str) -> Text:
        assessment = await assessment_store.get_assessment(
            session=session, assessment_id=assessment_id
        )
        assert assessment is not None
        kb = await self._knowledge.revision(assessment.kb_revision)
        profile = {
            k: v for k, v in (("sector", assessment.sector), ("region", assessment.region)) if v
        }
        text, _ = kb.step(step_id).for_profile(profile)
        return text


def _zone(name: str | None, locale: Locale) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONES[locale])
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONES[locale])


def _locale(respondent: Respondent) -> Locale:
    return "en" if respondent.language == "en" else "fa"
