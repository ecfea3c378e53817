"""Closing the loop: once most of a sub-factor's committed steps are done, re-answer only that
sub-factor's questions and see its before/after.

The recheck's answers and the re-answered assessment's other answers become a new completed
assessment, as a re-assessment does (docs/scoring.md, section 10): statistics count it like
one, and the comparison with the previous assessment shows what changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.checklist.base import ChecklistBase
from handlers.checklist.steps import RecheckOffer, RecheckStep, Refusal
from handlers.respondents import locale_of
from knowledge import InterviewState, KnowledgeBase, Locale, Notice, assess
from knowledge.assessment import Readiness
from knowledge.recheck import (
    SubFactorBeforeAfter,
    before_after,
    recheck_due,
    recheck_questions,
    recheck_view,
    rechecked_state,
)
from storage import assessments as assessment_store
from storage import plan_progress
from storage import plans as plan_store
from storage import rechecks as recheck_store
from storage.models import Assessment, Respondent
from storage.rechecks import SubFactorRecheck

__all__ = ["RecheckCases", "RecheckStep"]


class RecheckCases(ChecklistBase):
    """Offer, ask and complete a sub-factor's recheck."""

    async def _recheck_offers(
        self,
        session: AsyncSession,
        respondent_id: int,
        steps: Sequence[plan_progress.SubFactorSteps] | None = None,
    ) -> tuple[tuple[RecheckOffer, ...], set[tuple[int, str]]]:
        """The sub-factors whose steps are mostly done under some plan and not yet rechecked,
        and the (plan, sub-factor) pairs rechecked already. `steps` are the respondent's
        `steps_by_subfactor`, when the caller has read them already."""
        taken = {
            (r.plan_assessment_id, r.subfactor_key)
            for r in await recheck_store.list_rechecks(session=session, respondent_id=respondent_id)
            if r.completed_at is not None
        }
        if steps is None:
            steps = await plan_progress.steps_by_subfactor(
                session=session, respondent_id=respondent_id
            )
        offers: dict[str, RecheckOffer] = {}
        for row in steps:
            key = (row.plan_assessment_id, row.subfactor_key)
            if recheck_due(row.done, row.committed) and key not in taken:
                offers[row.subfactor_key] = RecheckOffer(*key, row.done, row.committed)
        return tuple(offers.values()), taken

    async def recheck_offers(
        self, *, telegram_id: int, language_code: str | None
    ) -> tuple[Locale, KnowledgeBase, tuple[RecheckOffer, ...]]:
        """The rechecks on offer (shown under /plan), with the latest results' KB revision."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            _, kb = await self._knowledge.active()
            offers, _ = await self._recheck_offers(session, respondent.id)
            latest = await assessment_store.get_latest_completed_assessment(
                session=session, respondent_id=respondent.id
            )
            if latest is not None:
                kb = await self._knowledge.revision(latest.kb_revision)
            return locale_of(respondent), kb, offers

    async def offer_after_check_in(
        self, *, telegram_id: int, language_code: str | None, plan_step_id: int
    ) -> tuple[Locale, KnowledgeBase, RecheckOffer | None]:
        """After a step is answered done: its sub-factor's recheck offer, the first time only
        (never again for that plan and sub-factor, whichever replica asks)."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            locale = locale_of(respondent)
            _, kb = await self._knowledge.active()
            step = await plan_store.get_plan_step(
                session=session, plan_step_id=plan_step_id, respondent_id=respondent.id
            )
            if step is None:
                return locale, kb, None
            offer = next(
                (
                    o
                    for o in (await self._recheck_offers(session, respondent.id))[0]
                    if (o.plan_assessment_id, o.subfactor_key)
                    == (step.assessment_id, step.subfactor_key)
                ),
                None,
            )
            if offer is None:
                return locale, kb, None
            recheck = await recheck_store.ensure_recheck(
                session=session,
                respondent_id=respondent.id,
                plan_assessment_id=offer.plan_assessment_id,
                subfactor_key=offer.subfactor_key,
            )
            now = datetime.now(UTC)
            if not await recheck_store.mark_offered(session=session, recheck=recheck, now=now):
                return locale, kb, None
            latest = await assessment_store.get_latest_completed_assessment(
                session=session, respondent_id=respondent.id
            )
            if latest is not None:
                kb = await self._knowledge.revision(latest.kb_revision)
            return locale, kb, offer

    async def start_recheck(
        self,
        *,
        telegram_id: int,
        language_code: str | None,
        plan_assessment_id: int,
        subfactor_key: str,
    ) -> RecheckStep:
        """Begin re-answering the sub-factor of the person's latest completed assessment (or
        carry on where a recheck of it stands)."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            locale = locale_of(respondent)
            _, kb = await self._knowledge.active()
            plan = await assessment_store.get_assessment(
                session=session, assessment_id=plan_assessment_id
            )
            if plan is None or plan.respondent_id != respondent.id:
                return RecheckStep(locale, kb, refusal=Refusal.NOT_YOURS)
            refusal, base = await self._recheck_base(session, respondent)
            if base is None or base.id is None or refusal is not None:
                return RecheckStep(locale, kb, refusal=refusal or Refusal.INVALID)
            kb = await self._knowledge.revision(base.kb_revision)
            offers, taken = await self._recheck_offers(session, respondent.id)
            pair = (plan_assessment_id, subfactor_key)
            if pair not in {(o.plan_assessment_id, o.subfactor_key) for o in offers}:
                refusal = Refusal.RECHECKED if pair in taken else Refusal.INVALID
                return RecheckStep(locale, kb, refusal=refusal)
            state = await _base_state(session, base)
            questions = recheck_questions(kb, state, subfactor_key)
            if not questions:
                return RecheckStep(locale, kb, refusal=Refusal.INVALID)
            recheck = await recheck_store.ensure_recheck(
                session=session,
                respondent_id=respondent.id,
                plan_assessment_id=plan_assessment_id,
                subfactor_key=subfactor_key,
            )
            resumed = recheck.started_at is not None and recheck.base_assessment_id == base.id
            if not resumed:
                await recheck_store.start_recheck(
                    session=session,
                    recheck=recheck,
                    base_assessment_id=base.id,
                    now=datetime.now(UTC),
                )
            view = recheck_view(kb, state, recheck.subfactor_key, recheck.position)
            return RecheckStep(
                locale, kb, recheck.id, view, notice=Notice.STALE if resumed else None
            )

    async def answer_recheck(
        self,
        *,
        telegram_id: int,
        language_code: str | None,
        recheck_id: int,
        position: int,
        value: int | None,
    ) -> RecheckStep:
        """Keep one answer of a recheck; after the last, store the new assessment and return
        the sub-factor's before/after."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            locale = locale_of(respondent)
            _, kb = await self._knowledge.active()
            recheck = await recheck_store.get_recheck(
                session=session, recheck_id=recheck_id, respondent_id=respondent.id
            )
            if recheck is None:
                return RecheckStep(locale, kb, refusal=Refusal.NOT_YOURS)
            if recheck.completed_at is not None or recheck.base_assessment_id is None:
                return RecheckStep(locale, kb, refusal=Refusal.CLOSED)
            refusal, base = await self._recheck_base(session, respondent)
            if refusal is not None or base is None or base.id != recheck.base_assessment_id:
                return RecheckStep(locale, kb, refusal=refusal or Refusal.OUTDATED)
            kb = await self._knowledge.revision(base.kb_revision)
            state = await _base_state(session, base)
            questions = recheck_questions(kb, state, recheck.subfactor_key)
            if not kb.scale.is_valid(value) or recheck.position >= len(questions):
                return RecheckStep(locale, kb, refusal=Refusal.INVALID)
            if position != recheck.position:  # pressed again, or under an earlier question
                view = recheck_view(kb, state, recheck.subfactor_key, recheck.position)
                return RecheckStep(locale, kb, recheck.id, view, notice=Notice.STALE)
            question = questions[position]
            if not await recheck_store.record_recheck_answer(
                session=session,
                recheck=recheck,
                position=position,
                question_id=question.id,
                value=value,
            ):
                return RecheckStep(locale, kb, refusal=Refusal.CLOSED)
            if recheck.position < len(questions):
                return RecheckStep(
                    locale,
                    kb,
                    recheck.id,
                    recheck_view(kb, state, recheck.subfactor_key, recheck.position),
                )
            change = await self._complete_recheck(session, respondent, base, state, kb, recheck)
            steps = (
                await plan_progress.steps_done_by_subfactor(
                    session=session, respondent_id=respondent.id
                )
            ).get(recheck.subfactor_key)
        if self._observer is not None:
            self._observer.assessment_completed()
        return RecheckStep(locale, kb, recheck_id, change=change, steps=steps)

    async def _recheck_base(
        self, session: AsyncSession, respondent: Respondent
    ) -> tuple[Refusal | None, Assessment | None]:
        """The latest completed assessment to re-answer; BUSY while another is under way."""
        assert respondent.id is not None
        active = await assessment_store.get_active_assessment(
            session=session, respondent_id=respondent.id, for_update=True
        )
        refining = await assessment_store.get_refining_assessment(
            session=session, respondent_id=respondent.id
        )
        if active is not None or refining is not None:
            return Refusal.BUSY, None
        latest = await assessment_store.get_latest_completed_assessment(
            session=session, respondent_id=respondent.id
        )
        return None, latest

    async def _complete_recheck(
        self,
        session: AsyncSession,
        respondent: Respondent,
        base: Assessment,
        state: InterviewState,
        kb: KnowledgeBase,
        recheck: SubFactorRecheck,
    ) -> SubFactorBeforeAfter:
        """Store the new assessment (the base's answers, the sub-factor's anew) as completed."""
        assert respondent.id is not None and state.question_set is not None
        after_state = rechecked_state(kb, state, recheck.subfactor_key, recheck.given)
        assessment = await assessment_store.start_assessment(
            session=session,
            respondent_id=respondent.id,
            kb_revision=base.kb_revision,
            profile=dict(state.profile),
            org_code=base.org_code,
        )
        await assessment_store.save_interview_state(
            session=session, assessment=assessment, state=after_state, previous=InterviewState()
        )
        before, after = _readiness(kb, state), _readiness(kb, after_state)
        await assessment_store.complete_assessment(
            session=session, assessment=assessment, readiness=after
        )
        if after_state.refined:  # the base's refinement was finished: so is this one's
            await assessment_store.complete_refinement(
                session=session, assessment=assessment, readiness=after
            )
        assert assessment.id is not None
        await recheck_store.complete_recheck(
            session=session,
            recheck=recheck,
            result_assessment_id=assessment.id,
            now=datetime.now(UTC),
        )
        return before_after(before, after, recheck.subfactor_key)


async def _base_state(session: AsyncSession, base: Assessment) -> InterviewState:
    """The completed assessment's state, its refinement counted only once finished."""
    state = await assessment_store.load_interview_state(session=session, assessment=base)
    return state if base.refined_at is not None else replace(state, refined=())


def _readiness(kb: KnowledgeBase, state: InterviewState) -> Readiness:
    assert state.question_set is not None
    return assess(kb, state.question_set, state.answers, refined=state.refined)
