"""The checklist's use cases: one transaction per update, from stored state to what to show
(a completion's results are read just after it, in a reader's transaction). An event that
leaves the assessment open is applied through the connection, with no session (`_move_open`);
anything else goes on in the same transaction through the ORM (`_apply_event`).

No Telegram objects here: handlers pass ids and events in and render the plain values that
come back. Every change is committed before the caller replies.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from handlers.checklist.profile import ProfileCases
from handlers.checklist.reassessment import compare_with_previous
from handlers.checklist.recheck import RecheckCases
from handlers.checklist.refinement import RefinementCases, before_refinement
from handlers.checklist.results import ResultsCases
from handlers.checklist.steps import (
    Cancelled,
    ChecklistObserver,
    RefinementProgress,
    Refusal,
    Results,
    Step,
    position_of,
)
from handlers.respondents import locale_of, locale_of_language
from knowledge import (
    AnswerQuestion,
    AskProfile,
    AskQuestion,
    Completed,
    Event,
    InterviewState,
    KnowledgeBase,
    Locale,
    Notice,
    QuestionSet,
    Readiness,
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
from storage import interview_states as interview_store
from storage import plan_progress
from storage.db import read_only
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


class Checklist(ProfileCases, RefinementCases, ResultsCases, RecheckCases):
    """The respondent-facing use cases over storage and the knowledge core."""

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
            org_code, organisation, unknown = await self._preset_organisation(session, org_code)
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
        async with self._engine.connect() as connection, connection.begin():  # committed on exit
            moved = await self._move_open(
                connection, telegram_id, event, assessment_id, at_position
            )
            if moved is not None:
                return moved
            # Nothing was written yet: the same transaction goes on through the ORM.
            async with AsyncSession(connection, expire_on_commit=False) as session, session.begin():
                outcome = await self._apply_event(
                    session, telegram_id, language_code, event, assessment_id, at_position
                )
        if isinstance(outcome, Step):
            return outcome
        # The results are read after the commit, in a reader's transaction: a completion holds
        # SQLite's write lock only to store them, not to compare them with anything.
        async with self._session_factory() as session:
            await read_only(session)
            step = await self._show(
                session,
                outcome.respondent,
                outcome.assessment,
                notice=outcome.notice,
                state=outcome.state,
                readiness=outcome.readiness,
            )
        # Only the event that completes the active assessment leads to its results here.
        if outcome.completes and step.results is not None and self._observer is not None:
            self._observer.assessment_completed()
        return step

    async def _apply_event(
        self,
        session: AsyncSession,
        telegram_id: int,
        language_code: str | None,
        event: Event,
        assessment_id: int | None,
        at_position: int | None,
    ) -> Step | _Finished:
        """`handle` through the ORM: a newcomer, a refusal, a refinement's step, a completion.
        The step to show, or what a completion's results are shown from after the commit."""
        respondent, active = await self._respondent_and_active(session, telegram_id, language_code)
        assert respondent.id is not None
        locale = locale_of(respondent)
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
        if before_refinement(kb, active, state, event):
            notice = Notice.AT_START  # the short checklist's answers are settled
        elif _shown_now(kb, state, at_position):
            notice, state, readiness = await self._apply(session, active, state, event)
        view = current_view(kb, state)
        if not isinstance(view, Completed):  # a question or a profile step: no reads
            return await self._show(
                session, respondent, active, notice=notice, state=state, view=view
            )
        return _Finished(respondent, active, notice, state, readiness, completes)

    async def _move_open(
        self,
        connection: AsyncConnection,
        telegram_id: int,
        event: Event,
        assessment_id: int | None,
        at_position: int | None,
    ) -> Step | None:
        """An event that moves the person's open assessment on and leaves it open (an answer,
        a profile choice, Back): one read and one write through the connection, no session
        and no ORM objects (an answer's hot path, bench/README.md). None, having written
        nothing, for any other case (a newcomer, someone marked as having blocked the bot, a
        button of another assessment, a question not in its KB revision, the answer that
        completes it, a refinement's), which `handle` then takes in the same transaction."""
        interview = await interview_store.open_interview(connection, telegram_id)
        if interview is None or assessment_id not in (None, interview.assessment_id):
            return None
        kb = await self._knowledge.revision(interview.kb_revision)
        if isinstance(event, AnswerQuestion) and not kb.has_question(event.question_id):
            return None
        state, accepted = interview.state, False
        notice: Notice | None = Notice.STALE
        if _shown_now(kb, state, at_position):
            transition = advance(kb, state, event)
            state, notice, accepted = transition.state, transition.notice, transition.changed
        view = current_view(kb, state)
        if isinstance(view, Completed):
            return None
        if accepted:
            await interview_store.save_open_interview(connection, interview, state)
        locale = locale_of_language(interview.language)
        view, _ = _presented(kb, locale, view, state, completed=False)
        return Step(
            locale=locale, kb=kb, assessment_id=interview.assessment_id, view=view, notice=notice
        )

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
                return Step(locale=locale_of(respondent), kb=kb, refusal=Refusal.NO_ACTIVE)
            return await self._show(session, respondent, active)

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
        view: View | None = None,
    ) -> Step:
        """The assessment's current step; `as_results` shows a completed assessment's results
        even while its refinement is under way (those of the short checklist, until it ends).
        `view` is the state's current view, when the caller has it already."""
        kb = await self._knowledge.revision(assessment.kb_revision)
        if state is None:  # the caller may already hold what it just stored
            state = await assessment_store.load_interview_state(
                session=session, assessment=assessment
            )
        locale = locale_of(respondent)
        if view is None:
            view = current_view(kb, state)
        view, progress = _presented(
            kb,
            locale,
            view,
            state,
            completed=assessment.status == AssessmentStatus.COMPLETED,
            as_results=as_results,
        )
        results = None
        if isinstance(view, Completed) and state.question_set is not None:
            refined = state.refined if assessment.refined_at is not None else ()
            if readiness is None:  # else just computed and stored by _apply
                readiness = assess(kb, state.question_set, state.answers, refined=refined)
            assert assessment.id is not None
            steps = await plan_progress.steps_by_subfactor(
                session=session, respondent_id=assessment.respondent_id
            )
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
                sector_means=await self._sector_means.of(session, assessment.sector),
                refinable=state.question_set is QuestionSet.CORE
                and not state.refined
                and not refinement(kb, readiness).is_empty,
                refined=refined,
                kb_revision=assessment.kb_revision,
                org_code=assessment.org_code,
                steps_done=plan_progress.totals_by_subfactor(steps),
                rechecks=(await self._recheck_offers(session, assessment.respondent_id, steps))[0],
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


@dataclass(frozen=True, slots=True)
class _Finished:
    """A completed assessment (or refinement), stored: its results are read after the commit."""

    respondent: Respondent
    assessment: Assessment
    notice: Notice | None
    state: InterviewState
    readiness: Readiness | None
    completes: bool  # the active assessment's completion (else a refinement's end)


def _shown_now(kb: KnowledgeBase, state: InterviewState, at_position: int | None) -> bool:
    """Whether a Back button shown at `at_position` (None: not a Back) is under the page the
    person is on now; pressed again or under an older page, it is stale."""
    return at_position is None or at_position == position_of(current_view(kb, state))


def _presented(
    kb: KnowledgeBase,
    locale: Locale,
    view: View,
    state: InterviewState,
    *,
    completed: bool,
    as_results: bool = False,
) -> tuple[View, RefinementProgress | None]:
    """The view as shown in `locale`, and how far a refinement of a `completed` assessment
    has come (`as_results`: its results instead, those of the short checklist)."""
    if isinstance(view, AskProfile) and view.options is not None:
        view = replace(view, options=options_in_order(view.field, view.options, locale))
    if isinstance(view, AskQuestion) and completed:
        if as_results:
            return Completed(), None
        core = len(kb.questions(QuestionSet.CORE))
        return view, RefinementProgress(view.number - core, view.total - core, state.refined)
    return view, None
