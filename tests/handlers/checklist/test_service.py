"""The checklist service on a real database, without Telegram: ids and events in, steps out."""

from __future__ import annotations

from handlers.checklist.service import Cancelled, Checklist, Refusal, Step, position_of
from handlers.services import Services
from knowledge import (
    PROFILE_FIELDS,
    AnswerQuestion,
    AskProfile,
    AskQuestion,
    AskQuestionSet,
    ChooseQuestionSet,
    GoBack,
    Notice,
    QuestionSet,
    SetProfile,
)

PERSON, OTHER = 71_001, 71_002


async def _fill_profile(checklist: Checklist, step: Step, telegram_id: int) -> Step:
    """Answer every profile question with its first option (or a typed organisation)."""
    while isinstance(step.view, AskProfile):
        view = step.view
        value = "Test agency" if view.options is None else view.options[0].key
        step = await checklist.handle(
            telegram_id=telegram_id,
            language_code="en",
            event=SetProfile(view.field, value),
            assessment_id=step.assessment_id,
        )
    return step


async def _core_questions(checklist: Checklist, telegram_id: int) -> Step:
    step = await checklist.start(telegram_id=telegram_id, language_code="en")
    step = await _fill_profile(checklist, step, telegram_id)
    assert isinstance(step.view, AskQuestionSet)
    return await checklist.handle(
        telegram_id=telegram_id,
        language_code="en",
        event=ChooseQuestionSet(QuestionSet.CORE),
        assessment_id=step.assessment_id,
    )


async def test_a_new_person_is_asked_the_profile_first_in_their_language(
    services: Services,
) -> None:
    step = await services.checklist.start(telegram_id=PERSON, language_code="fa-IR")
    assert step.locale == "fa"
    assert isinstance(step.view, AskProfile)
    assert step.view.field == PROFILE_FIELDS[0]
    again = await services.checklist.start(telegram_id=PERSON, language_code="fa-IR")
    assert (again.assessment_id, again.resumed) == (step.assessment_id, True)


async def test_answering_every_core_question_completes_with_results(services: Services) -> None:
    checklist = services.checklist
    step = await _core_questions(checklist, PERSON)
    answered = 0
    while isinstance(step.view, AskQuestion):
        step = await checklist.handle(
            telegram_id=PERSON,
            language_code="en",
            event=AnswerQuestion(step.view.question.id, 2),
            assessment_id=step.assessment_id,
        )
        answered += 1
    assert step.results is not None
    assert answered == len(step.kb.questions(QuestionSet.CORE))
    scores = {result.score for result in step.results.readiness.subfactors}
    assert scores == {50.0}
    latest = await checklist.latest_results(telegram_id=PERSON, language_code="en")
    assert latest.results is not None
    assert latest.results.assessment_id == step.results.assessment_id


async def test_a_repeated_answer_is_one_answer_and_a_stale_back_changes_nothing(
    services: Services,
) -> None:
    checklist = services.checklist
    step = await _core_questions(checklist, PERSON)
    assert isinstance(step.view, AskQuestion)
    first = step.view.question.id
    shown_at = position_of(step.view)
    answer = AnswerQuestion(first, 3)
    after = await checklist.handle(
        telegram_id=PERSON, language_code="en", event=answer, assessment_id=step.assessment_id
    )
    assert isinstance(after.view, AskQuestion) and after.view.question.id != first
    # The Back button under the first question, pressed after the page moved on, is stale.
    stale = await checklist.handle(
        telegram_id=PERSON,
        language_code="en",
        event=GoBack(),
        assessment_id=step.assessment_id,
        at_position=shown_at,
    )
    assert stale.notice is Notice.STALE
    assert isinstance(stale.view, AskQuestion) and stale.view.question.id == after.view.question.id


async def test_buttons_of_someone_else_or_of_no_assessment_are_refused(
    services: Services,
) -> None:
    checklist = services.checklist
    mine = await checklist.start(telegram_id=PERSON, language_code="en")
    nobody = await checklist.handle(
        telegram_id=OTHER, language_code="en", event=GoBack(), assessment_id=None
    )
    assert nobody.refusal is Refusal.NO_ACTIVE
    await checklist.start(telegram_id=OTHER, language_code="en")
    theirs = await checklist.handle(
        telegram_id=OTHER, language_code="en", event=GoBack(), assessment_id=mine.assessment_id
    )
    assert theirs.refusal is Refusal.NOT_YOURS


async def test_cancel_closes_the_active_assessment_once(services: Services) -> None:
    checklist = services.checklist
    await checklist.start(telegram_id=PERSON, language_code="en")
    cancelled = Cancelled.ASSESSMENT
    assert await checklist.cancel(telegram_id=PERSON, language_code="en") == ("en", cancelled)
    assert await checklist.cancel(telegram_id=PERSON, language_code="en") == ("en", None)
