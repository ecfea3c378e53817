"""Answer counts name each question's own scale: agreement and frequency questions are not read
as 'not in place … fully', in the chat and in the XLSX answers sheet."""

from __future__ import annotations

import pytest

from handlers.i18n import Renderer
from handlers.statistics.quality import instrument_sheets
from handlers.statistics.service import Summary
from handlers.statistics.table import StatsTable
from knowledge import KnowledgeBase, Locale
from tests.handlers.statistics.samples import sample_group, sample_instrument


def _scaled(kb: KnowledgeBase) -> list[str]:
    answered = {a.question_id for a in sample_instrument(kb).answers}
    found = [q.id for q in map(kb.question, sorted(answered)) if q.scale is not None]
    assert found, "the shipped KB asks some questions on their own scale"
    return found


@pytest.mark.parametrize("locale", ["fa", "en"])
def test_the_chat_names_a_questions_own_scale(shipped_kb: KnowledgeBase, locale: Locale) -> None:
    kb = shipped_kb
    summary = Summary(kb, 5, sample_group(kb), sample_instrument(kb))
    text = Renderer().render(locale, "stats_answers.html", s=summary)
    lines = {line.split(":")[0]: line for line in text.splitlines()}
    for question_id in _scaled(kb):
        scale = kb.scale_of(kb.question(question_id))
        line = next(v for k, v in lines.items() if question_id in k)
        assert scale.options[0].label.get(locale) in line
        assert scale.options[-1].label.get(locale) in line
    practice = next(
        a.question_id for a in summary.instrument.answers if a.question_id not in _scaled(kb)
    )
    assert kb.scale.options[0].label.get(locale) not in next(
        v for k, v in lines.items() if practice in k
    )


@pytest.mark.parametrize("locale", ["fa", "en"])
def test_the_answers_sheet_has_a_scale_column(shipped_kb: KnowledgeBase, locale: Locale) -> None:
    kb = shipped_kb
    table = StatsTable(Renderer(), kb, locale, ())
    answers = instrument_sheets(table, sample_instrument(kb))[-1]
    column = answers.header.index(table.text("stats_header", "scale"))
    by_question = {row[0]: row[column] for row in answers.rows}
    for question_id in _scaled(kb):
        scale = kb.scale_of(kb.question(question_id))
        assert by_question[question_id] == (
            f"{scale.options[0].label.get(locale)} … {scale.options[-1].label.get(locale)}"
        )
    practice = f"{kb.scale.options[0].label.get(locale)} … {kb.scale.options[-1].label.get(locale)}"
    assert practice in by_question.values()
    # The value columns are headed by the values, which every scale shares.
    assert kb.scale.options[0].label.get(locale) not in answers.header
