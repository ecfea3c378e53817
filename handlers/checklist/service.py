"""The checklist's use cases: one transaction per update, from stored state to what to show.

No Telegram objects here: handlers pass ids and events in and render the plain values that
come back. Every change is committed before the caller replies.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.checklist.reassessment import compare_with_previous
from handlers.checklist.steps import (
    Cancelled,
    ChecklistObserver,
    RefinementProgress,
    Refusal,
    Results,
    Step,
    position_of,
)
from handlers.i18n import locale_for
from handlers.knowledge_store import KnowledgeStore
from knowledge import (
    AnswerQuestion,
    AskProfile,
    AskQuestion,
    Completed,
    Event,
    GoBack,
    InterviewState,
    KnowledgeBase,
    Locale,
    Notice,
    QuestionSet,
    Readiness,
    Refine,
    SetProfile,
    View,
    advance,
    current_view,
    options_in_order,
)
from knowledge.advisor import advise
from knowledge.assessment import assess
from knowledge.refinement import refinement
from storage import assessments as assessment_store
from storage import organisations as organisation_store
from storage import respondents as respondent_store
from storage import stats as stats_store
from storage.models import Assessment, AssessmentStatus, Respondent

__all__ = [
    "Cancelled",
    "Checklist",
    "ChecklistObserver",
    "RefinementProgress",
    "Refusal",
    "Results",
    "Step",
    "position_of",
]

log = logging.getLogger(__name__)


class Checklist:
    """The respondent-facing use cases over storage and the knowledge core."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        knowledge: KnowledgeStore,
        *,
        default_locale: Locale = "fa",
        observer: ChecklistObserver | None = None,
        stats_k: int = 5,
    ) -> None:
        self._session_factory = session_factory
        self._stats_k = stats_k
        self._knowledge = knowledge
        self._default_locale = default_locale
        self._observer = observer

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
        profile_from: int | None = None,
    ) -> Step:
        """Resume the active assessment, or start one (always, with `restart`).

        A known `org_code` presets the organisation and names it in the step; an unknown one
        is never stored and the step says so. `profile_from` names the respondent's own
        completed assessment whose profile the new one keeps.
        """
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            organisation: str | None = None
            unknown = False
            if org_code:  # a registered organisation's code presets its name
                known = await organisation_store.get_organisation_by_code(
                    session=session, code=org_code
                )
                if known is None:
                    org_code, unknown = None, True
                else:
                    org_code, organisation = known.code, known.name
            active = await assessment_store.get_active_assessment(
                session=session, respondent_id=respondent.id, for_update=True
            )
            if active is not None and not restart:
                if organisation and not active.organisation and not active.org_code:
                    state = await assessment_store.load_interview_state(
                        session=session, assessment=active
                    )
                    active.org_code = org_code
                    event = SetProfile("organisation", organisation)
                    await self._apply(session, active, state, event)
                step = await self._show(session, respondent, active, resumed=True)
                return replace(step, organisation=organisation, unknown_code=unknown)
            refining = await assessment_store.get_refining_assessment(
                session=session, respondent_id=respondent.id
            )
            if refining is not None and active is None and not restart:
                return await self._show(session, respondent, refining, resumed=True)
            if refining is not None:  # a new assessment ends the unfinished refinement
                await self._abandon_refinement(session, refining)
            revision, kb = await self._knowledge.active()
            profile: dict[str, str] = {}
            if profile_from is not None:
                profile, kept_code = await self._kept_profile(
                    session, respondent.id, profile_from, kb
                )
                org_code = org_code or kept_code
            if organisation:
                profile["organisation"] = organisation
            assessment = await assessment_store.start_assessment(
                session=session,
                respondent_id=respondent.id,
                kb_revision=revision,
                profile=profile or None,
                org_code=org_code,
            )
            step = await self._show(session, respondent, assessment)
        if self._observer is not None:
            self._observer.assessment_started()
        return replace(step, organisation=organisation, unknown_code=unknown)

    async def previous_profile(
        self, *, telegram_id: int, language_code: str | None
    ) -> tuple[Locale, int | None, Mapping[str, str]]:
        """With no assessment or refinement in progress: the latest completed one's id and
        profile, to offer keeping it; else (None, {})."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            locale = _locale(respondent)
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
                return Step(locale=_locale(respondent), kb=kb, refusal=Refusal.CLOSED)
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

    async def handle(
        self,
        *,
        telegram_id: int,
        language_code: str | None,
        event: Event,
        assessment_id: int | None = None,
        at_position: int | None = None,
    ) -> Step:
        """Apply one interview event to the respondent's active assessment and commit it.

        `assessment_id` comes from a button: it must be the presser's own active assessment.
        `at_position` is where a Back button was shown: pressed again or elsewhere, it is stale.
        """
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            locale = _locale(respondent)
            active = await assessment_store.get_active_assessment(
                session=session, respondent_id=respondent.id, for_update=True
            )
            completes = active is not None  # else a refinement, at most
            if active is None:  # a completed checklist being refined takes its buttons
                active = await assessment_store.get_refining_assessment(
                    session=session, respondent_id=respondent.id
                )
            # A button of the open assessment needs no second read; any other is refused.
            if assessment_id is not None and (active is None or active.id != assessment_id):
                owned = await assessment_store.get_assessment(
                    session=session, assessment_id=assessment_id
                )
                if owned is None or owned.respondent_id != respondent.id:
                    _, kb = await self._knowledge.active()
                    return Step(locale=locale, kb=kb, refusal=Refusal.NOT_YOURS)
                kb = await self._knowledge.revision(owned.kb_revision)
                return Step(locale=locale, kb=kb, refusal=Refusal.CLOSED)
            if active is None:
                _, kb = await self._knowledge.active()
                return Step(locale=locale, kb=kb, refusal=Refusal.NO_ACTIVE)
            kb = await self._knowledge.revision(active.kb_revision)
            # Buttons only carry questions of their own KB revision: anything else was forged.
            if isinstance(event, AnswerQuestion) and not kb.has_question(event.question_id):
                return Step(locale=locale, kb=kb, refusal=Refusal.INVALID)
            state = await assessment_store.load_interview_state(session=session, assessment=active)
            notice: Notice | None = Notice.STALE
            readiness = None
            if _before_refinement(kb, active, state, event):
                notice = Notice.AT_START  # the short checklist's answers are settled
            elif at_position is None or at_position == position_of(current_view(kb, state)):
                notice, state, readiness = await self._apply(session, active, state, event)
            step = await self._show(
                session, respondent, active, notice=notice, state=state, readiness=readiness
            )
        # Only the event that completes the active assessment leads to its results here.
        if completes and step.results is not None and self._observer is not None:
            self._observer.assessment_completed()
        return step

    async def current(self, *, telegram_id: int, language_code: str | None) -> Step:
        """The active assessment's current view, without changing anything."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            active = await assessment_store.get_active_assessment(
                session=session, respondent_id=respondent.id
            ) or await assessment_store.get_refining_assessment(
                session=session, respondent_id=respondent.id
            )
            if active is None:
                _, kb = await self._knowledge.active()
                return Step(locale=_locale(respondent), kb=kb, refusal=Refusal.NO_ACTIVE)
            return await self._show(session, respondent, active)

    async def refine(
        self, *, telegram_id: int, language_code: str | None, assessment_id: int
    ) -> Step:
        """Reopen the presser's latest completed short checklist for its top priorities'
        detailed questions, and show the first; a second press shows where the person is."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            assert respondent.id is not None
            locale = _locale(respondent)
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
            return await self._show(session, respondent, done, as_results=True)

    async def completed_results(
        self, *, telegram_id: int, language_code: str | None, assessment_id: int | None
    ) -> tuple[Locale, Results | None]:
        """The results of `assessment_id` when it is the presser's own and completed, else None
        (a forged id, someone else's, one cancelled or still open, or one deleted by /forget)."""
        async with self._session_factory() as session, session.begin():
            respondent = await self._respondent(session, telegram_id, language_code)
            locale = _locale(respondent)
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
            return _locale(respondent), done.kb_revision
        revision, _ = await self._knowledge.active()
        return _locale(respondent), revision

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
                    return _locale(respondent), None
                await assessment_store.cancel_assessment(session=session, assessment=active)
                return _locale(respondent), Cancelled.ASSESSMENT
            if assessment_id is not None:  # a confirmation for an assessment already closed
                return _locale(respondent), None
            refining = await assessment_store.get_refining_assessment(
                session=session, respondent_id=respondent.id
            )
            if refining is None:
                return _locale(respondent), None
            await self._abandon_refinement(session, refining)
            return _locale(respondent), Cancelled.REFINEMENT

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

    async def _respondent(
        self, session: AsyncSession, telegram_id: int, language_code: str | None
    ) -> Respondent:
        return await respondent_store.get_or_create_respondent(
            session=session,
            telegram_id=telegram_id,
            language=locale_for(language_code, self._default_locale),
        )

    async def _apply(
        self, session: AsyncSession, assessment: Assessment, state: InterviewState, event: Event
    ) -> tuple[Notice | None, InterviewState, Readiness | None]:
        """Apply `event` and store the new state; on completion, the results computed once."""
        kb = await self._knowledge.revision(assessment.kb_revision)
        transition = advance(kb, state, event)
        readiness = None
        if transition.changed:
            await assessment_store.save_interview_state(
                session=session, assessment=assessment, state=transition.state, previous=state
            )
            if isinstance(transition.view, Completed):
                state = transition.state
                assert state.question_set is not None
                readiness = assess(kb, state.question_set, state.answers, refined=state.refined)
                complete = (
                    assessment_store.complete_refinement
                    if assessment.status == AssessmentStatus.COMPLETED
                    else assessment_store.complete_assessment
                )
                await complete(session=session, assessment=assessment, readiness=readiness)
        return transition.notice, transition.state, readiness

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
    ) -> Step:
        """The assessment's current step; `as_results` shows a completed assessment's results
        even while its refinement is under way (those of the short checklist, until it ends)."""
        kb = await self._knowledge.revision(assessment.kb_revision)
        if state is None:  # the caller may already hold what it just stored
            state = await assessment_store.load_interview_state(
                session=session, assessment=assessment
            )
        locale = _locale(respondent)
        view: View = current_view(kb, state)
        if isinstance(view, AskProfile) and view.options is not None:
            view = replace(view, options=options_in_order(view.field, view.options, locale))
        progress = None
        if isinstance(view, AskQuestion) and assessment.status == AssessmentStatus.COMPLETED:
            if as_results:
                view = Completed()
            else:
                core = len(kb.questions(QuestionSet.CORE))
                progress = RefinementProgress(view.number - core, view.total - core, state.refined)
        results = None
        if isinstance(view, Completed) and state.question_set is not None:
            refined = state.refined if assessment.refined_at is not None else ()
            if readiness is None:  # else just computed and stored by _apply
                readiness = assess(kb, state.question_set, state.answers, refined=refined)
            assert assessment.id is not None
            comparison = await compare_with_previous(
                session=session,
                knowledge=self._knowledge,
                assessment=assessment,
                readiness=readiness,
            )
            results = Results(
                assessment.id,
                kb,
                readiness,
                advise(kb, readiness, state.profile),
                comparison,
                profile=dict(state.profile),
                completed_at=assessment.completed_at,
                sector_means=await stats_store.get_peer_factor_means(
                    session=session, sector=assessment.sector, k=self._stats_k
                ),
                refinable=state.question_set is QuestionSet.CORE
                and not state.refined
                and not refinement(kb, readiness).is_empty,
                refined=refined,
                kb_revision=assessment.kb_revision,
                org_code=assessment.org_code,
            )
        return Step(
            locale=locale,
            kb=kb,
            assessment_id=assessment.id,
            view=view,
            notice=notice,
            results=results,
            resumed=resumed,
            refinement=progress,
        )


def _before_refinement(
    kb: KnowledgeBase, assessment: Assessment, state: InterviewState, event: Event
) -> bool:
    """Whether `event` would go back from a refinement into the completed short checklist."""
    return (
        isinstance(event, GoBack)
        and assessment.status == AssessmentStatus.COMPLETED
        and state.question_set is not None
        and state.cursor <= len(kb.questions(state.question_set))
    )


def _locale(respondent: Respondent) -> Locale:
    return "en" if respondent.language == "en" else "fa"
