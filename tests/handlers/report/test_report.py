"""The printable report and the charts in the chat: /report, photos after the results."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.emulator import BotApiEmulator, ChatMessage, EmulatedUser
from handlers.checklist.service import Results
from handlers.i18n import Renderer
from handlers.report.document import ChartImage, render_report_document
from knowledge import KnowledgeBase, Locale, QuestionSet, advise, assess
from tests.auxil.flows import answer_questions, fill_profile, question_set_button
from tests.auxil.harness import RunningBot
from tests.auxil.pdf import assert_complete_pdf, pdf_text

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
        for number in item.citations:
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
    assert ("۱۴۰۴/۱۲/۱۰" if locale == "fa" else "1 March 2026") in document  # Solar Hijri in fa


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


def chart_button(user: EmulatedUser, locale: Locale) -> ChatMessage:
    """The results message that carries the charts button."""
    label = Renderer().text(locale, "button_charts")
    return next(m for m in reversed(user.bot_messages) if m.find_button(label) is not None)


async def press_charts(user: EmulatedUser, bot: RunningBot, locale: Locale) -> None:
    """Press the charts button and wait until the drawing and sending are done."""
    await user.press(Renderer().text(locale, "button_charts"))
    await bot.runtime.services.charts.drain()


@pytest.mark.parametrize(("locale", "user_id"), [("fa", 4101), ("en", 4102)])
async def test_the_charts_button_sends_two_charts_and_report_sends_the_document(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    locale: Locale,
    user_id: int,
):
    user = emulator.user(user_id, language_code=locale)
    await complete_checklist(user, shipped_kb, locale)
    assert photos(user) == []  # completing the checklist draws nothing
    renderer = Renderer()
    summary = chart_button(user, locale)
    step = await bot.runtime.services.checklist.latest_results(
        telegram_id=user_id, language_code=locale
    )
    assert step.results is not None
    assessment_id = step.results.assessment_id
    assert summary.buttons == [
        [
            (renderer.text(locale, "button_charts"), f"ch:{assessment_id}"),
            (renderer.text(locale, "button_report"), f"rp:{assessment_id}"),
        ],
        [(renderer.text(locale, "button_plan_commit"), f"pl:{assessment_id}")],
        [(renderer.text(locale, "button_refine"), f"rf:{assessment_id}")],
    ]
    assert summary.text is not None and shipped_kb.factors[0].title.get(locale) in summary.text

    await press_charts(user, bot, locale)
    assert user.callback_answers[-1].text == renderer.text(locale, "charts_drawing")
    assert [call.params.get("action") for call in emulator.calls_to("sendChatAction")] == [
        "upload_photo"
    ]
    charts = photos(user)
    assert len(charts) == 2
    assert user.bot_messages[-2:] == charts  # after the results
    for chart, key in zip(charts, ("radar", "bars"), strict=True):
        assert chart.photo is not None and chart.photo.startswith(b"\x89PNG\r\n\x1a\n")
        caption = re.sub(r"<[^>]+>", "", renderer.text(locale, "chart_caption", key))
        assert chart.caption == caption

    await user.send("/report")
    await bot.runtime.services.charts.drain()
    sent = user.last_bot_message
    assert sent.document is not None
    year = r"14\d\d" if locale == "fa" else r"20\d\d"  # Solar Hijri for Persian readers
    pattern = rf"pishran-report-agency-{year}-\d\d-\d\d-r\d+-a{assessment_id}\.pdf"
    assert re.fullmatch(pattern, sent.document.filename)
    assert sent.document.mime_type == "application/pdf"
    assert sent.caption == renderer.text(locale, "report_caption")
    assert_complete_pdf(sent.document.data, shipped_kb, step.results, locale)
    if locale == "en":  # shown as typed, not as markup
        assert HOSTILE in pdf_text(sent.document.data, normalise=False)


async def test_results_command_shows_the_charts_button_again(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
):
    user = emulator.user(4201, language_code="en")
    await complete_checklist(user, shipped_kb, "en")
    first = chart_button(user, "en")
    await user.send("/results")
    again = chart_button(user, "en")
    assert again.message_id > first.message_id and again.buttons == first.buttons
    await press_charts(user, bot, "en")
    assert len(photos(user)) == 2
    assert user.last_bot_message.photo is not None


@pytest.mark.parametrize(("locale", "user_id"), [("fa", 4301), ("en", 4302)])
async def test_report_without_a_completed_assessment_says_so(
    emulator: BotApiEmulator, bot: RunningBot, locale: Locale, user_id: int
):
    user = emulator.user(user_id, language_code=locale)
    await user.send("/report")
    assert NO_REPORT[locale] in (user.last_bot_message.text or "")
    assert not [m for m in user.bot_messages if m.document is not None]
