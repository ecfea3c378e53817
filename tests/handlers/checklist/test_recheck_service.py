"""The recheck use cases on a real database, without Telegram: a detailed checklist's
sub-factor (three questions) answered again, stale and foreign presses, and what is stored."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlmodel import col

from handlers.checklist.service import Checklist, Refusal
from handlers.services import Services
from knowledge import AnswerQuestion, AskProfile, ChooseQuestionSet, Notice, QuestionSet, SetProfile
from storage.models import Assessment, AssessmentStatus, SubFactorResult
from storage.plans import PlanStep, StepStatus

PERSON, OTHER = 72_001, 72_002
NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)


async def _completed(checklist: Checklist, telegram_id: int, question_set: QuestionSet) -> int:
    """A completed checklist answered 1 everywhere; its assessment id."""
    step = await checklist.start(telegram_id=telegram_id, language_code="en")
    while isinstance(step.view, AskProfile):
        view = step.view
        value = "Test agency" if view.options is None else view.options[0].key
        step = await checklist.handle(
            telegram_id=telegram_id, language_code="en", event=SetProfile(view.field, value)
        )
    step = await checklist.handle(
        telegram_id=telegram_id, language_code="en", event=ChooseQuestionSet(question_set)
    )
    while step.results is None:
        assert step.view is not None and hasattr(step.view, "question")
        event = AnswerQuestion(step.view.question.id, 1)
        step = await checklist.handle(telegram_id=telegram_id, language_code="en", event=event)
    assert step.assessment_id is not None
    return step.assessment_id


async def _most_done(services: Services, telegram_id: int, assessment_id: int) -> str:
    """Commit to the first-30-day steps and answer all of one sub-factor's done; its key."""
    await services.plans.commit(
        telegram_id=telegram_id,
        language_code="en",
        assessment_id=assessment_id,
        index=None,
        now=NOW,
    )
    session_factory = services.checklist._session_factory
    async with session_factory() as session:
        steps = list((await session.scalars(select(PlanStep).order_by(col(PlanStep.id)))).all())
    key, _ = Counter(s.subfactor_key for s in steps).most_common(1)[0]
    for step in steps:
        if step.subfactor_key == key:
            assert step.id is not None
            await services.plans.answer(
                telegram_id=telegram_id,
                language_code="en",
                plan_step_id=step.id,
                status=StepStatus.DONE,
                now=NOW,
            )
    return key


async def test_a_detailed_sub_factor_is_asked_again_question_by_question(
    services: Services,
) -> None:
    checklist = services.checklist
    first = await _completed(checklist, PERSON, QuestionSet.DETAILED)
    key = await _most_done(services, PERSON, first)
    results = await checklist.latest_results(telegram_id=PERSON, language_code="en")
    assert results.results is not None
    assert [o.subfactor_key for o in results.results.rechecks] == [key]

    step = await checklist.start_recheck(
        telegram_id=PERSON, language_code="en", plan_assessment_id=first, subfactor_key=key
    )
    assert step.refusal is None and step.view is not None and step.recheck_id is not None
    questions = step.kb.subfactor(key).asked_questions
    assert (step.view.number, step.view.total) == (1, len(questions)) and len(questions) > 1
    assert step.view.previous_answer == 1
    recheck_id = step.recheck_id

    # Someone else's press, a forged value, and the same press twice.
    await _completed(checklist, OTHER, QuestionSet.CORE)
    foreign = await checklist.answer_recheck(
        telegram_id=OTHER, language_code="en", recheck_id=recheck_id, position=0, value=4
    )
    assert foreign.refusal is Refusal.NOT_YOURS
    forged = await checklist.answer_recheck(
        telegram_id=PERSON, language_code="en", recheck_id=recheck_id, position=0, value=7
    )
    assert forged.refusal is Refusal.INVALID
    second = await checklist.answer_recheck(
        telegram_id=PERSON, language_code="en", recheck_id=recheck_id, position=0, value=4
    )
    assert second.view is not None and second.view.number == 2
    stale = await checklist.answer_recheck(
        telegram_id=PERSON, language_code="en", recheck_id=recheck_id, position=0, value=0
    )
    assert stale.notice is Notice.STALE and stale.view is not None and stale.view.number == 2
    # Pressed again from the offer: it carries on where the recheck is.
    resumed = await checklist.start_recheck(
        telegram_id=PERSON, language_code="en", plan_assessment_id=first, subfactor_key=key
    )
    assert resumed.notice is Notice.STALE and resumed.view is not None
    assert resumed.view.number == 2

    for position in range(1, len(questions)):
        last = await checklist.answer_recheck(
            telegram_id=PERSON,
            language_code="en",
            recheck_id=recheck_id,
            position=position,
            value=4,
        )
    assert last.change is not None and last.view is None
    assert (last.change.score_before, last.change.score_after) == (25.0, 100.0)
    assert last.steps is not None and last.steps[0] == last.steps[1]

    again = await checklist.start_recheck(
        telegram_id=PERSON, language_code="en", plan_assessment_id=first, subfactor_key=key
    )
    assert again.refusal is Refusal.RECHECKED
    latest = await checklist.latest_results(telegram_id=PERSON, language_code="en")
    assert latest.results is not None and latest.results.rechecks == ()
    assert latest.results.comparison is not None
    assert latest.results.comparison.change(key).after == 100.0

    # Two completed assessments for the statistics, each with its own sub-factor results.
    async with checklist._session_factory() as session:
        completed = await session.scalar(
            select(func.count())
            .where(
                col(Assessment.status) == AssessmentStatus.COMPLETED,
                col(Assessment.id) != first,
            )
            .select_from(Assessment)
        )
        results_rows = await session.scalar(
            select(func.count())
            .select_from(SubFactorResult)
            .where(col(SubFactorResult.subfactor_key) == key)
        )
    assert completed == 2  # the recheck's, and OTHER's
    assert results_rows == 3


async def test_a_recheck_waits_while_an_assessment_is_open(services: Services) -> None:
    checklist = services.checklist
    first = await _completed(checklist, PERSON, QuestionSet.CORE)
    key = await _most_done(services, PERSON, first)
    await checklist.start(telegram_id=PERSON, language_code="en", restart=True)
    busy = await checklist.start_recheck(
        telegram_id=PERSON, language_code="en", plan_assessment_id=first, subfactor_key=key
    )
    assert busy.refusal is Refusal.BUSY
    unknown = await checklist.start_recheck(
        telegram_id=OTHER, language_code="en", plan_assessment_id=first, subfactor_key=key
    )
    assert unknown.refusal is Refusal.NOT_YOURS
