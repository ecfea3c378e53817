"""An answer's statements on SQLite, counted: the hot path keeps to its four (bench/README.md).

Counts, not times: the benchmark measures what they cost; this keeps a change from quietly
adding a read or a write to every answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlmodel import col

from bot.application import Runtime
from handlers.checklist.steps import position_of
from knowledge import (
    AnswerQuestion,
    AskQuestion,
    ChooseQuestionSet,
    GoBack,
    InterviewState,
    Notice,
    QuestionSet,
    SetProfile,
)
from storage.assessments import get_active_assessment
from storage.interview_states import load_interview_state
from storage.models import Answer, Assessment, Respondent, get_datetime_utc
from storage.respondents import get_respondent
from tests.auxil.service_walk import at_first_question, sqlite_runtime
from tests.auxil.sqlite_trips import record_trips

PERSON = 72_001


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    async with sqlite_runtime(tmp_path / "statements.sqlite3") as runtime:
        yield runtime


async def _at_first_question(runtime: Runtime) -> AskQuestion:
    return await at_first_question(runtime, PERSON)


def _recorded(runtime: Runtime) -> list[str]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()[:3]).upper())

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", record)
    return statements


@contextmanager
def _orm_loads() -> Iterator[list[object]]:
    """The respondents, assessments and answers the ORM loads meanwhile."""
    loaded: list[object] = []

    def load(target: object, _context: object) -> None:
        loaded.append(target)

    for entity in (Respondent, Assessment, Answer):
        event.listen(entity, "load", load)
    try:
        yield loaded
    finally:
        for entity in (Respondent, Assessment, Answer):
            event.remove(entity, "load", load)


async def test_an_answer_is_four_statements_and_no_orm_objects(runtime: Runtime) -> None:
    question = await _at_first_question(runtime)
    statements = _recorded(runtime)
    with _orm_loads() as loaded:
        step = await runtime.services.checklist.handle(
            telegram_id=PERSON,
            language_code="en",
            event=AnswerQuestion(question.question.id, 3),
        )
        assert isinstance(step.view, AskQuestion) and step.view.number == question.number + 1
        kinds = [statement.split()[0] for statement in statements]
        # The respondent with their active assessment and its answers in one read, the
        # versioned update, the answer: BEGIN IMMEDIATE travels with the read
        # (storage/sqlite_driver.py).
        assert kinds == ["BEGIN", "SELECT", "UPDATE", "INSERT"], statements
        # The next answer is read back from what this one wrote.
        step = await runtime.services.checklist.handle(
            telegram_id=PERSON, language_code="en", event=AnswerQuestion(step.view.question.id, 1)
        )
        assert isinstance(step.view, AskQuestion) and step.view.number == question.number + 2
    assert loaded == []  # plain rows: no ORM objects on an answer's hot path


async def test_profile_choices_and_back_take_the_same_path(runtime: Runtime) -> None:
    """Every step of the walk between /start and the completion: plain rows, no session."""
    checklist = runtime.services.checklist
    start = await checklist.start(telegram_id=PERSON, language_code="en")
    profile = start.kb.profile
    with _orm_loads() as loaded:
        statements = _recorded(runtime)
        for field, value in (
            ("sector", profile.sectors[0].key),
            ("region", profile.regions[0].key),
            ("organisation", "Test agency"),
            ("role", profile.roles[0].key),
        ):
            step = await checklist.handle(
                telegram_id=PERSON, language_code="en", event=SetProfile(field, value)
            )
            assert step.notice is None
        step = await checklist.handle(
            telegram_id=PERSON, language_code="en", event=ChooseQuestionSet(QuestionSet.CORE)
        )
        assert isinstance(step.view, AskQuestion)
        first = step.view
        step = await checklist.handle(
            telegram_id=PERSON, language_code="en", event=AnswerQuestion(first.question.id, 4)
        )
        assert isinstance(step.view, AskQuestion)
        back = {"assessment_id": step.assessment_id, "at_position": position_of(step.view)}
        step = await checklist.handle(
            telegram_id=PERSON, language_code="en", event=GoBack(), **back
        )
        assert isinstance(step.view, AskQuestion) and step.view.question == first.question
        # The same Back button pressed again is stale: nothing is written.
        writes = len([s for s in statements if s.startswith("UPDATE")])
        step = await checklist.handle(
            telegram_id=PERSON, language_code="en", event=GoBack(), **back
        )
        assert step.notice is Notice.STALE
        assert isinstance(step.view, AskQuestion) and step.view.question == first.question
        assert step.view.previous_answer == 4  # shown with the answer given before
        assert len([s for s in statements if s.startswith("UPDATE")]) == writes
    assert loaded == []
    assert writes == 7  # four profile fields, the question set, the answer and Back
    state = await _stored_state(runtime)
    assert state.answers == {first.question.id: 4}
    assert dict(state.profile)["organisation"] == "Test agency"


async def _stored_state(runtime: Runtime) -> InterviewState:
    async with runtime.session_factory() as session:
        respondent = await get_respondent(session=session, telegram_id=PERSON)
        assert respondent is not None and respondent.id is not None
        active = await get_active_assessment(session=session, respondent_id=respondent.id)
        assert active is not None
        return await load_interview_state(session=session, assessment=active)


async def test_an_answer_makes_one_trip_to_sqlites_thread(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = await _at_first_question(runtime)
    trips = record_trips(monkeypatch)
    await runtime.services.checklist.handle(
        telegram_id=PERSON, language_code="en", event=AnswerQuestion(question.question.id, 3)
    )
    # The commit: BEGIN IMMEDIATE (the write lock was free) with the first read, the answers'
    # read, the versioned update and the answer run on the event loop's thread
    # (storage/sqlite_driver.py).
    assert trips == ["commit"]
    async with runtime.session_factory() as session:  # committed, seen by another session
        respondent = await get_respondent(session=session, telegram_id=PERSON)
        assert respondent is not None and respondent.id is not None
        active = await get_active_assessment(session=session, respondent_id=respondent.id)
        assert active is not None
        state = await load_interview_state(session=session, assessment=active)
    assert state.answers[question.question.id] == 3
    assert state.cursor == question.number  # moved on to the next question


async def test_an_answer_from_someone_marked_blocked_clears_the_mark(runtime: Runtime) -> None:
    question = await _at_first_question(runtime)
    async with runtime.session_factory() as session, session.begin():
        await session.execute(
            update(Respondent)
            .where(col(Respondent.telegram_id) == PERSON)
            .values(blocked_at=get_datetime_utc())
        )
    step = await runtime.services.checklist.handle(
        telegram_id=PERSON,
        language_code="en",
        event=AnswerQuestion(question.question.id, 3),
    )
    assert isinstance(step.view, AskQuestion) and step.view.number == question.number + 1
    async with runtime.session_factory() as session:
        respondent = await get_respondent(session=session, telegram_id=PERSON)
    assert respondent is not None and respondent.blocked_at is None


async def test_a_completion_reads_its_results_after_committing_them(runtime: Runtime) -> None:
    checklist = runtime.services.checklist
    question = await _at_first_question(runtime)
    for _ in range(question.total - 1):
        step = await checklist.handle(
            telegram_id=PERSON, language_code="en", event=AnswerQuestion(question.question.id, 2)
        )
        assert isinstance(step.view, AskQuestion)
        question = step.view
    statements = _recorded(runtime)
    event.listen(runtime.engine.sync_engine, "commit", lambda _conn: statements.append("COMMIT"))
    step = await checklist.handle(
        telegram_id=PERSON, language_code="en", event=AnswerQuestion(question.question.id, 2)
    )
    assert step.results is not None
    writing = statements[: statements.index("COMMIT") + 1]
    reading = statements[len(writing) :]
    # The writer stores the answer and the results (and their score slots); what they are
    # shown with (the sector's means, the plan's progress, rechecks) is read after it.
    shown_with = ("WITH", "SELECT PLAN_STEP", "SELECT SUBFACTOR_RECHECK")
    assert writing[0] == "BEGIN IMMEDIATE", writing
    assert not [s for s in writing if s.startswith(shown_with)], writing
    assert reading[0] == "BEGIN" and [s for s in reading if s.startswith(shown_with)], reading
    # The plan's progress and the recheck offers come from one read of the plan's steps.
    assert len([s for s in reading if s.startswith("SELECT PLAN_STEP")]) == 1, reading
