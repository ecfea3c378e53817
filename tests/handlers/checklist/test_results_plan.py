"""The action plan's steps say who owns them, why they are there, and which are urgent.

Each step's reasons (a sub-factor's band, or "your answer" for a low answer) and its urgent
mark are worked out in handlers/checklist/views.py; these tests read them back from the
rendered plan, in both languages, against the plan the results were built from.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from markupsafe import escape

from bot.application import Runtime
from handlers.checklist.service import Results
from handlers.checklist.views import render_results
from handlers.i18n import Renderer
from knowledge import Locale, to_persian_digits
from tests.auxil.service_walk import answer_core, sqlite_runtime

PERSON = 74_001
# Low answers to some questions (reasons of their own), middling to others (band reasons).
ANSWERS = (0, 3, 1, 4, 2, 0, 3)


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    async with sqlite_runtime(tmp_path / "plan.sqlite3") as runtime:
        yield runtime


async def _results(runtime: Runtime) -> Results:
    step = await answer_core(runtime, PERSON, lambda number: ANSWERS[number % len(ANSWERS)])
    assert step.results is not None
    return step.results


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_each_step_names_its_owner_its_reasons_and_whether_it_is_urgent(
    runtime: Runtime, locale: Locale
) -> None:
    results = await _results(runtime)
    kb, renderer = results.kb, Renderer()
    lines = "\n".join(reply.text for reply in render_results(renderer, locale, results)).split("\n")
    urgent = {sf.key for sf in results.readiness.subfactors if sf.urgent}
    why = renderer.text(locale, "plan_why", reasons="")
    separator = renderer.text(locale, "list_separator")
    marks, own_answers = set(), set()
    for number, step in enumerate(results.report.plan.steps, 1):
        opening = f"{number}. {escape(renderer.tr(locale, step.text))}"
        if locale == "fa":
            opening = to_persian_digits(f"{number}. ") + opening.split(". ", 1)[1]
        first = next(i for i, line in enumerate(lines) if line.startswith(opening))
        owner_line, why_line = lines[first + 1], lines[first + 2]

        owner = renderer.tr(locale, kb.owner(step.owner).title)
        assert owner_line.startswith(str(escape(renderer.text(locale, "plan_owner", owner=owner))))
        marked = renderer.text(locale, "results_urgent") in owner_line
        assert marked == bool(urgent & set(step.subfactors)), (owner_line, step.subfactors)

        # One reason a sub-factor, in the plan's order; "your answer" where an answer was low.
        assert why_line.startswith(why)
        reasons = why_line.removeprefix(why).split(separator)
        titles = [renderer.tr(locale, kb.subfactor(key).title) for key in step.subfactors]
        assert reasons == [
            str(
                escape(renderer.text(locale, "plan_answer", subfactor=title))
                if key in step.answered_subfactors
                else escape(title)
            )
            for key, title in zip(step.subfactors, titles, strict=True)
        ]
        marks.add(marked)
        own_answers.add(bool(step.answered_subfactors))
    # The answers above give both kinds of step, and both kinds of reason.
    assert marks == {True, False}
    assert own_answers == {True, False}
