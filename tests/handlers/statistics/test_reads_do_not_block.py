"""Statistics read without SQLite's write lock: an export being streamed lets answers through."""

from __future__ import annotations

import asyncio

from handlers.checklist.service import Checklist, Step
from handlers.services import Services
from handlers.statistics.service import ExportFormat, ExportRequest
from knowledge import AnswerQuestion, AskQuestion
from storage.stats.dimensions import Dimension
from tests.handlers.checklist.test_service import _core_questions

PERSON = 72_000


async def _answer(checklist: Checklist, telegram_id: int, step: Step) -> Step:
    assert isinstance(step.view, AskQuestion)
    return await checklist.handle(
        telegram_id=telegram_id,
        language_code="en",
        event=AnswerQuestion(step.view.question.id, 2),
        assessment_id=step.assessment_id,
    )


async def test_an_answer_goes_through_while_an_export_is_being_streamed(
    services: Services,
) -> None:
    checklist = services.checklist
    for person in (PERSON + 1, PERSON + 2, PERSON + 3):
        step = await _core_questions(checklist, person)
        while isinstance(step.view, AskQuestion):
            step = await _answer(checklist, person, step)
        assert step.results is not None
    step = await _core_questions(checklist, PERSON)
    assert isinstance(step.view, AskQuestion)
    asked = step.view.question.id
    request = ExportRequest(by=(Dimension.SECTOR,), format=ExportFormat.CSV, locale="en")
    chunks = services.statistics.export(request).__aiter__()
    first = await chunks.__anext__()  # the export's transaction stays open until the last chunk
    # Were the export a writer on SQLite, this answer would wait for it: here, for ever.
    answered = await asyncio.wait_for(_answer(checklist, PERSON, step), timeout=10)
    assert answered.refusal is None and isinstance(answered.view, AskQuestion)
    assert answered.view.question.id != asked
    rest = [chunk async for chunk in chunks]
    assert b"".join([first, *rest]).decode().count("\n") >= 2  # a header and a group
