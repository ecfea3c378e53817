"""The printable report and the charts in the chat: /report, photos after the results."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.emulator import BotApiEmulator, ChatMessage, EmulatedUser
from handlers.checklist import Results
from handlers.i18n import Renderer
from handlers.report_document import ChartImage, render_report_document
from knowledge import KnowledgeBase, Locale, QuestionSet, advise, assess
from tests.auxil.flows import answer_questions, fill_profile, question_set_button
from tests.auxil.harness import RunningBot

CORE_VALUES: list[int | None] = [4, 3, 1, 0, 2, 4, None, 3, 0, 1, 4, 4, 2, 0, 3, 1]
HOSTILE = "<script>alert('x')</script> & Co"
FAKE_PNG = ChartImage("radar", b"\x89PNG\r\n\x1a\nnot-really"), ChartImage("bars", b"\x89PNG..")
NO_REPORT = {"fa": "هنوز ارزیابی کاملی ندارید", "en": "You have no completed assessment yet"}


def completed_results(kb: KnowledgeBase, organisation: str = HOSTILE) -> Results:
    core = kb.questions(QuestionSet.CORE)
    answers = dict(zip([q.id for q in core], CORE_VALUES, strict=True))
    readiness = assess(kb, QuestionSet.CORE, answers)
    profile = {
        "sector": kb.profile.sectors[0].key,
        "region": "tehran",
        "organisation": organisation,
        "role": kb.profile.roles[0].key,
    }
    completed = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    return Results(1, kb, readiness, advise(kb, readiness), profile=profile, completed_at=completed)


def assert_complete_report(document: str, kb: KnowledgeBase, results: Results, locale: Locale):
    """Every sub-factor with its call, every cited reference with its DOI link, the profile."""
    text = html.unescape(document)
    for sf in kb.subfactors:
        assert sf.title.get(locale) in text, sf.key
    assert results.report.references, "the advice cites nothing"
    for number, ref in enumerate(results.report.references, start=1):
        assert ref.title in text, ref.key
        if ref.doi:
            assert f'href="https://doi.org/{html.escape(ref.doi)}"' in document, ref.key
        assert f'id="ref-{number}"' in document
    for item in results.report.items:
        for citations in item.action_citations:
            for number in citations:
                assert f'href="#ref-{number}"' in document
    assert kb.profile.sectors[0].label.get(locale) in text
    assert next(r for r in kb.profile.regions if r.key == "tehran").label.get(locale) in text


@pytest.mark.parametrize(("locale", "direction"), [("fa", "rtl"), ("en", "ltr")])
def test_the_report_has_every_subfactor_and_every_cited_reference(
    shipped_kb: KnowledgeBase, locale: Locale, direction: str
):
    results = completed_results(shipped_kb)
    document = render_report_document(Renderer(), locale, results, FAKE_PNG)
    assert document.startswith("<!DOCTYPE html>")
    assert f'<html lang="{locale}" dir="{direction}">' in document
    assert_complete_report(document, shipped_kb, results, locale)
    assert document.count('src="data:image/png;base64,') == 2
    assert ("۲۰۲۶-۰۳-۰۱" if locale == "fa" else "2026-03-01") in document


@pytest.mark.parametrize("locale", ["fa", "en"])
def test_user_text_in_the_report_is_escaped(shipped_kb: KnowledgeBase, locale: Locale):
    document = render_report_document(Renderer(), locale, completed_results(shipped_kb), FAKE_PNG)
    assert "<script>" not in document
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co" in document


def test_the_report_shows_the_sector_means_when_the_results_have_them(
    shipped_kb: KnowledgeBase,
):
    renderer = Renderer()
    results = completed_results(shipped_kb)
    without = render_report_document(renderer, "en", results, FAKE_PNG)
    means = {"managerial": 41.0, "organizational": 52.0, "human": 63.0, "infrastructural": 74.0}
    document = render_report_document(
        renderer, "en", replace(results, sector_means=means), FAKE_PNG
    )
    header = renderer.text("en", "chart", "sector")
    assert header not in without
    assert header in document
    for mean in ("41", "52", "63", "74"):
        assert f'<td class="number">{mean}</td>' in document


def photos(user: EmulatedUser) -> list[ChatMessage]:
    return [m for m in user.bot_messages if m.photo is not None]


async def complete_checklist(user: EmulatedUser, kb: KnowledgeBase, locale: Locale) -> None:
    await user.send("/start")
    await fill_profile(user, kb, locale, organisation=HOSTILE)
    await user.press(question_set_button(user, QuestionSet.CORE))
    await answer_questions(user, kb, locale, CORE_VALUES)


@pytest.mark.parametrize(("locale", "user_id"), [("fa", 4101), ("en", 4102)])
async def test_completing_the_checklist_sends_two_charts_and_report_sends_the_document(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    locale: Locale,
    user_id: int,
):
    user = emulator.user(user_id, language_code=locale)
    await complete_checklist(user, shipped_kb, locale)

    charts = photos(user)
    assert len(charts) == 2
    assert user.bot_messages[-2:] == charts  # after the results text
    renderer = Renderer()
    for chart, key in zip(charts, ("radar", "bars"), strict=True):
        assert chart.photo is not None and chart.photo.startswith(b"\x89PNG\r\n\x1a\n")
        caption = re.sub(r"<[^>]+>", "", renderer.text(locale, "chart_caption", key))
        assert chart.caption == caption

    await user.send("/report")
    sent = user.last_bot_message
    assert sent.document is not None
    assert re.fullmatch(r"pishran-report-\d{4}-\d{2}-\d{2}\.html", sent.document.filename)
    assert sent.document.mime_type == "text/html"
    assert sent.caption == renderer.text(locale, "report_caption")
    document = sent.document.data.decode("utf-8")
    assert f'<html lang="{locale}"' in document
    step = await bot.runtime.services.checklist.latest_results(
        telegram_id=user_id, language_code=locale
    )
    assert step.results is not None
    assert_complete_report(document, shipped_kb, step.results, locale)
    assert "<script>" not in document and "&lt;script&gt;" in document
    assert document.count('src="data:image/png;base64,') == 2


async def test_results_command_sends_the_charts_again(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
):
    user = emulator.user(4201, language_code="en")
    await complete_checklist(user, shipped_kb, "en")
    await user.send("/results")
    assert len(photos(user)) == 4
    assert user.last_bot_message.photo is not None


@pytest.mark.parametrize(("locale", "user_id"), [("fa", 4301), ("en", 4302)])
async def test_report_without_a_completed_assessment_says_so(
    emulator: BotApiEmulator, bot: RunningBot, locale: Locale, user_id: int
):
    user = emulator.user(user_id, language_code=locale)
    await user.send("/report")
    assert NO_REPORT[locale] in (user.last_bot_message.text or "")
    assert not [m for m in user.bot_messages if m.document is not None]
