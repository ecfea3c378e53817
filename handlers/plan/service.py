"""Plan use cases: commit to steps of the action plan, list them, pause, and the check-ins.

No Telegram objects here. A check-in is claimed (and committed) before it is sent, at most one
per person and local day, only between 08:00 and 21:00 in the person's time zone (Iran's for
Persian speakers unless set otherwise), and never while paused or after /forget.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.knowledge_store import KnowledgeStore
from handlers.plan.check_ins import CheckIn, CheckIns, known_zone, step_text, zone_for
from handlers.plan.steps import DUE_AFTER, Offer, Overview, ShownStep
from handlers.respondents import respondent_for
from knowledge import KnowledgeBase, Locale
from knowledge.advisor import advise
from knowledge.assessment import assess
from knowledge.block_reasons import offered_reasons
from knowledge.plan import PlannedStep
from knowledge.steps import Horizon
from storage import assessments as assessment_store
from storage import plan_notes as note_store
from storage import plans as plan_store
from storage.models import Assessment, AssessmentStatus, Respondent
from storage.plans import StepStatus

__all__ = [
    "DUE_AFTER",
    "NOTE_WINDOW",
    "CheckIn",
    "Offer",
    "Overview",
    "Plans",
    "ShownStep",
    "StepStatus",
]

#: How long after a blocking reason the person's next text is still taken as its note.
NOTE_WINDOW = timedelta(minutes=30)


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
    ) -> None:
        self._session_factory = session_factory
        self._knowledge = knowledge
        self._default_locale = default_locale
        self.check_ins = CheckIns(
            session_factory,
            knowledge,
            default_locale=default_locale,
            interval=interval,
            quiet_from=quiet_from,
            quiet_until=quiet_until,
        )

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
        _, kb = await self._knowledge.active()
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            locale = _locale(respondent)
            assert respondent.id is not None
            setting = await plan_store.get_plan_setting(
                session=session, respondent_id=respondent.id
            )
            zone = zone_for(setting.time_zone if setting else None, locale)
            shown = []
            for step in await plan_store.list_plan_steps(
                session=session, respondent_id=respondent.id
            ):
                assert step.id is not None
                shown.append(
                    ShownStep(
                        step.id,
                        await step_text(session, self._knowledge, step.assessment_id, step.step_id),
                        step.horizon,
                        step.due_at.astimezone(zone).date(),
                        step.status,
                        step.blocked_reason,
                        step.blocked_note,
                    )
                )
            paused = setting is not None and setting.paused_at is not None
            return locale, Overview(tuple(shown), paused, zone.key, kb)

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

    async def set_time_zone(
        self, *, telegram_id: int, language_code: str | None, name: str
    ) -> tuple[Locale, str | None]:
        """Keep check-ins to the IANA zone `name`; None (nothing stored) when it is unknown."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            locale = _locale(respondent)
            if not known_zone(name):
                return locale, None
            assert respondent.id is not None
            await plan_store.set_time_zone(
                session=session, respondent_id=respondent.id, time_zone=name
            )
            return locale, name

    async def block_reasons(self) -> KnowledgeBase:
        """The active KB: the blocking reasons a check-in offers now, with their titles."""
        _, kb = await self._knowledge.active()
        return kb

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
        """Record a check-in answer about the presser's own step; False for anyone else's, or
        for a reason the active KB does not offer (any more)."""
        kb = await self.block_reasons()
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            if reason is not None and reason not in offered_reasons(kb):
                return _locale(respondent), False
            step = await plan_store.get_plan_step(
                session=session, plan_step_id=plan_step_id, respondent_id=respondent.id
            )
            if step is None:
                return _locale(respondent), False
            await plan_store.answer_check_in(
                session=session, step=step, status=status, now=now, reason=reason
            )
            if status is StepStatus.BLOCKED and reason is not None:
                # The next text, on any replica, is the optional note on this step.
                await note_store.expect_note(
                    session=session,
                    respondent_id=respondent.id,
                    plan_step_id=plan_step_id,
                    expires_at=now + NOTE_WINDOW,
                )
            else:
                await note_store.clear_expected_note(session=session, respondent_id=respondent.id)
            return _locale(respondent), True

    async def take_note(
        self, *, telegram_id: int, language_code: str | None, text: str, now: datetime
    ) -> tuple[Locale, bool] | None:
        """`text` as the note on the step whose reason the person just gave; None when no note
        is expected of them (or it expired). The expectation is used up by this one text."""
        async with self._session_factory() as session, session.begin():
            taken = await note_store.take_expected_note(
                session=session, telegram_id=telegram_id, now=now
            )
            if taken is None:
                return None
            respondent = await self._respondent(session, telegram_id, language_code)
            respondent_id, plan_step_id = taken
            step = await plan_store.get_plan_step(
                session=session, plan_step_id=plan_step_id, respondent_id=respondent_id
            )
            kept = step is not None and await plan_store.set_blocked_note(
                session=session, step=step, note=text
            )
            return _locale(respondent), kept

    async def _respondent(
        self, session: AsyncSession, telegram_id: int, language_code: str | None
    ) -> Respondent:
        return await respondent_for(session, telegram_id, language_code, self._default_locale)

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


def _locale(respondent: Respondent) -> Locale:
    return "en" if respondent.language == "en" else "fa"
