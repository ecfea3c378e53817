"""Splitting long replies: whole paragraphs, then whole lines, then hard cuts; all under 4096."""

from __future__ import annotations

import pytest

from bot.emulator import parse_html, utf16_len
from handlers.checklist.service import Results
from handlers.checklist.views import render_results
from handlers.i18n import Renderer
from handlers.replies import MESSAGE_LIMIT, split_message
from knowledge import KnowledgeBase, Locale, QuestionSet, advise, assess


def paragraph(tag: str, size: int) -> str:
    """A paragraph of exactly `size` characters, recognisable by `tag`."""
    return (tag * size)[:size]


def test_a_short_text_is_one_part() -> None:
    assert split_message("one\n\ntwo") == ["one\n\ntwo"]


def test_paragraphs_are_kept_whole() -> None:
    paragraphs = [paragraph(tag, 40) for tag in "abcdefgh"]
    text = "\n\n".join(paragraphs)

    parts = split_message(text, limit=100)

    assert all(len(part) <= 100 for part in parts)
    assert [p for part in parts for p in part.split("\n\n")] == paragraphs
    assert "\n\n".join(parts) == text
    assert len(parts) == 4  # two 40-character paragraphs and their separator fit in 100


def test_a_paragraph_longer_than_the_limit_is_split_between_lines() -> None:
    lines = [paragraph(tag, 30) for tag in "abcdefghij"]
    text = "intro\n\n" + "\n".join(lines) + "\n\noutro"

    parts = split_message(text, limit=100)

    assert all(len(part) <= 100 for part in parts)
    assert [line for part in parts for line in part.split("\n") if line] == [
        "intro",
        *lines,
        "outro",
    ]


def test_a_single_over_long_line_is_cut_hard_and_keeps_its_order() -> None:
    text = "before\n" + paragraph("x", 250) + "\nafter"

    parts = split_message(text, limit=100)

    assert all(len(part) <= 100 for part in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


@pytest.mark.parametrize("locale", ["fa", "en"])
@pytest.mark.parametrize("question_set", list(QuestionSet))
def test_results_for_the_shipped_kb_fit_in_messages(
    shipped_kb: KnowledgeBase, locale: Locale, question_set: QuestionSet
) -> None:
    questions = shipped_kb.questions(question_set)
    values = [0, 1, 4, None, 2, 3]
    answers = {q.id: values[i % len(values)] for i, q in enumerate(questions)}
    readiness = assess(shipped_kb, question_set, answers)
    results = Results(1, shipped_kb, readiness, advise(shipped_kb, readiness))

    replies = render_results(Renderer(), locale, results)

    assert len(replies) >= 3
    for reply in replies:
        assert len(reply.text) <= MESSAGE_LIMIT
        plain, _ = parse_html(reply.text)
        assert 0 < utf16_len(plain) <= MESSAGE_LIMIT
