"""Statistics in Telegram, end to end: /stats, /stats org and /export for an administrator,
refused (and audited) for anyone else; the sector mean beside a respondent's own results."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator

import pytest

from bot.emulator import BotApiEmulator
from handlers import callbacks
from handlers.i18n import Renderer
from knowledge import KnowledgeBase, Locale, QuestionSet
from storage.stats.disclosure import SCORE_BOUND
from tests.auxil.admin import ADMIN_ID, CIVIL_SERVANT_ID, admin_settings, audit_log
from tests.auxil.flows import answer_questions, fill_profile, question_set_button
from tests.auxil.harness import RunningBot, start_bot
from tests.auxil.stats import (
    Seeded,
    completed_cell,
    noise_of,
    published_count,
    readable_text,
    seed_statistics,
)
from tests.storage.stats_data import Spec, Stored, store_specs

RENDERER = Renderer()


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, emulator_url: str, database_url: str
) -> AsyncIterator[RunningBot]:
    """The real bot with one administrator, ADMIN_ID, and k = 5."""
    running = await start_bot(emulator, admin_settings(emulator, emulator_url, database_url))
    yield running
    await running.stop()


@pytest.fixture
async def seeded(bot: RunningBot, shipped_kb: KnowledgeBase) -> Seeded:
    """The statistics test data, stored."""
    return await seed_statistics(bot.runtime.session_factory, shipped_kb)


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_an_admin_gets_the_summary_a_chart_and_the_answers(
    emulator: BotApiEmulator, bot: RunningBot, seeded: Seeded, locale: Locale
) -> None:
    admin = emulator.user(ADMIN_ID, language_code=locale)

    await admin.send("/stats")

    summary, chart, answers, blockers = admin.bot_messages[-4:]
    n = await published_count(bot.runtime.session_factory, 5)
    overall = RENDERER.text(locale, "stats_overall", n=str(n), readiness="")
    assert RENDERER.text(locale, "stats_factors") in (summary.text or "")
    assert re.sub("<[^>]+>", "", re.split("·|، ", overall)[0]) in (summary.text or "")
    assert chart.photo is not None and chart.photo.startswith(b"\x89PNG")
    assert chart.caption == RENDERER.text(locale, "stats_chart_title")
    assert RENDERER.text(locale, "stats_answers_title") in (answers.text or "")
    # What blocks agencies: no one has committed to plan steps in this data.
    assert RENDERER.text(locale, "plan_stats_empty", k="5") in (blockers.text or "")
    shown = "\n".join(m.text or "" for m in (summary, answers))
    assert all(str(telegram_id) not in shown for telegram_id in seeded.telegram_ids)
    entries = await audit_log(bot)
    assert [(e.actor, e.action) for e in entries] == [
        (bot.runtime.services.audit.actor_for(ADMIN_ID), "stats.view")
    ]


async def test_an_admin_gets_an_organisation_profile_only_at_k(
    emulator: BotApiEmulator, bot: RunningBot, seeded: Seeded
) -> None:
    admin = emulator.user(ADMIN_ID, language_code="en")

    await admin.send("/stats org water")
    profile = admin.last_bot_message.text or ""
    await admin.send("/stats org tax")
    unknown = admin.last_bot_message.text or ""

    water = await published_count(bot.runtime.session_factory, 5, org_code="water")
    assert f"Completed assessments: {water}" in profile
    assert "Transparency" in profile
    assert unknown.startswith("No profile for")


@pytest.mark.parametrize(("file_format", "locale"), [("csv", "fa"), ("xlsx", "fa"), ("json", "en")])
async def test_an_admin_exports_through_the_buttons(
    emulator: BotApiEmulator, bot: RunningBot, seeded: Seeded, file_format: str, locale: Locale
) -> None:
    admin = emulator.user(ADMIN_ID, language_code=locale)
    sector = RENDERER.text(locale, "stats_column", "sector")
    month = RENDERER.text(locale, "stats_column", "month")

    await admin.send("/export")
    await admin.press(f"{sector} × {month}")
    await admin.press(file_format.upper())

    document = admin.last_bot_message.document
    assert document is not None
    assert document.filename == f"pishran-stats-sector-month.{file_format}"
    text = readable_text(document.data, file_format)
    assert all(str(telegram_id) not in text for telegram_id in seeded.telegram_ids)
    assert all(typed not in text for typed in seeded.typed_texts)
    if file_format == "csv":
        assert document.data.startswith("\ufeff".encode())
        assert next(csv.reader(io.StringIO(text)))[:2] == [sector, month]
    if file_format == "json":
        assert json.loads(text)["by"] == ["sector", "month"]
    entries = await audit_log(bot)
    assert (entries[-1].action, entries[-1].detail) == (
        "stats.export",
        {"by": ["sector", "month"], "format": file_format},
    )


@pytest.mark.parametrize("attempt", ["/stats", "/stats org water", "/export", "button"])
async def test_anyone_else_is_refused_and_the_attempt_audited(
    emulator: BotApiEmulator, bot: RunningBot, seeded: Seeded, attempt: str
) -> None:
    user = emulator.user(CIVIL_SERVANT_ID, language_code="fa")

    if attempt == "button":
        # A forged press of the format button an administrator would see.
        await user.send("/language")  # any message with buttons to press under
        await user.press_data(callbacks.encode(callbacks.ExportStats("sm", "csv")))
        refusal = emulator.calls_to("answerCallbackQuery")[-1].params.get("text")
        assert refusal == RENDERER.text("fa", "admin_only_button")
    else:
        await user.send(attempt)
        assert user.last_bot_message.text == RENDERER.text("fa", "admin_only")
    assert all(m.document is None and m.photo is None for m in user.bot_messages)
    entries = await audit_log(bot)
    assert [(e.actor, e.action) for e in entries] == [
        (bot.runtime.services.audit.actor_for(CIVIL_SERVANT_ID), "admin.denied")
    ]
    assert str(CIVIL_SERVANT_ID) not in entries[0].actor


async def peers(bot: RunningBot, kb: KnowledgeBase, count: int) -> None:
    specs = [Spec(respondent=300 + i, sector=kb.profile.sectors[0].key) for i in range(count)]
    async with bot.runtime.session_factory() as session:
        await store_specs(session, kb, specs, Stored())


@pytest.mark.parametrize(("others", "shown"), [(3, False), (4, True)])
async def test_results_show_the_sector_mean_once_the_sector_has_k_assessments(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, others: int, shown: bool
) -> None:
    # With the respondent's own, the sector has others + 1 completed assessments (k = 5).
    await peers(bot, shipped_kb, others)
    user = emulator.user(2301, language_code="en")
    await user.send("/start")
    await fill_profile(user, shipped_kb, "en")
    await user.press(question_set_button(user, QuestionSet.CORE))
    await answer_questions(
        user, shipped_kb, "en", [4] * len(shipped_kb.questions(QuestionSet.CORE))
    )

    summary = next(m.text or "" for m in user.bot_messages if "Readiness index" in (m.text or ""))
    assert ("your sector's mean" in summary) is shown
    if shown:
        # Four peers answered 2 everywhere (score 50), the respondent 4 (100): the mean is 60,
        # published with the noise of the sector's cell (at most 100 / 5 either way).
        factor = shipped_kb.factors[0]
        sector = shipped_kb.profile.sectors[0].key
        _, _, key = await completed_cell(bot.runtime.session_factory, sector=sector)
        noise = await noise_of(bot.runtime.session_factory)
        mean = noise.mean(300.0, 5, key, 5, name=f"factor.{factor.key}", bound=SCORE_BOUND)
        assert mean is not None and abs(mean - 60) <= 20
        line = next(line for line in summary.splitlines() if factor.title.en in line)
        assert f"your sector's mean: {round(mean)}" in line


def test_export_buttons_carry_the_grouping_and_the_format() -> None:
    for shape, data in (
        (callbacks.ExportStats("sm"), "st:sm"),
        (callbacks.ExportStats("o", "xlsx"), "st:o:xlsx"),
    ):
        assert callbacks.encode(shape) == data
        assert callbacks.decode(data) == shape
    for forged in ("st:", "st:x", "st:smr", "st:sm:pdf", "st:sm:csv:1"):
        assert callbacks.decode(forged) is None
