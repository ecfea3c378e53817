"""/export offers the "what blocks agencies" file the same way as the readiness file: a
grouping, then a format, then the file (through the emulator, with the real bot)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator

import pytest
from openpyxl import load_workbook

from bot.emulator import BotApiEmulator
from handlers import callbacks
from handlers.i18n import Renderer
from knowledge import KnowledgeBase, Locale
from tests.auxil.admin import ADMIN_ID, CIVIL_SERVANT_ID, admin_settings, audit_log
from tests.auxil.harness import RunningBot, start_bot
from tests.auxil.stats import readable_text, seed_statistics
from tests.handlers.statistics.plan_data import PLANTED_NOTE, seed_plans

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
async def seeded(bot: RunningBot, shipped_kb: KnowledgeBase) -> list[str]:
    """The statistics test data, each completed assessment committed to two plan steps."""
    await seed_statistics(bot.runtime.session_factory, shipped_kb)
    return [step.step_id for step in await seed_plans(bot.runtime.session_factory, shipped_kb)]


@pytest.mark.parametrize(
    ("file_format", "locale", "grouping", "by"),
    [
        ("csv", "fa", "sector", "sector"),
        ("xlsx", "fa", "month", "month"),
        ("json", "en", "region", "region"),
        ("csv", "en", None, None),
    ],
)
async def test_an_admin_exports_the_blockers_through_the_buttons(
    emulator: BotApiEmulator,
    bot: RunningBot,
    seeded: list[str],
    shipped_kb: KnowledgeBase,
    file_format: str,
    locale: Locale,
    grouping: str | None,
    by: str | None,
) -> None:
    admin = emulator.user(ADMIN_ID, language_code=locale)
    blockers = RENDERER.text(locale, "stats_export_blockers")
    column = (
        RENDERER.text(locale, "stats_column", grouping)
        if grouping
        else RENDERER.text(locale, "blockers_all")
    )

    await admin.send("/export")
    await admin.press(blockers)
    assert admin.last_bot_message.text == RENDERER.text(locale, "stats_export_blockers_grouping")
    await admin.press(column)
    chosen = RENDERER.text(locale, "stats_export_blockers_format", grouping=column)
    assert admin.last_bot_message.text == chosen
    await admin.press(file_format.upper())

    document = admin.last_bot_message.document
    assert document is not None
    assert document.filename == f"pishran-blockers-{by or 'all'}.{file_format}"
    caption = RENDERER.text(locale, "stats_export_blockers_caption", grouping=column)
    assert admin.last_bot_message.caption == caption
    text = readable_text(document.data, file_format)
    assert PLANTED_NOTE not in text and "Karimi" not in text
    if file_format == "csv":
        assert document.data.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][0] == column
        if by == "sector":  # education (two people, k = 5) is left out
            labels = {s.key: s.label.fa for s in shipped_kb.profile.sectors}
            assert {row[0] for row in rows[1:]} == {labels["health"], labels["utilities"]}
    if file_format == "json":
        document_json = json.loads(text)
        assert document_json["by"] == by and document_json["language"] == locale
        assert {r["step"] for r in document_json["shares"] if r["scope"] == "step"} == set(seeded)
    if file_format == "xlsx":
        workbook = load_workbook(io.BytesIO(document.data))
        assert workbook.sheetnames == ["گام‌های تعهدشده", "دلیل‌های توقف"]
        assert workbook.worksheets[0].sheet_view.rightToLeft
    entries = await audit_log(bot)
    assert (entries[-1].action, entries[-1].detail) == (
        "stats.blockers",
        {"by": by, "format": file_format},
    )


async def test_a_forged_blockers_button_is_refused_and_audited(
    emulator: BotApiEmulator, bot: RunningBot, seeded: list[str]
) -> None:
    user = emulator.user(CIVIL_SERVANT_ID, language_code="fa")
    await user.send("/language")  # any message with buttons to press under
    await user.press_data(callbacks.encode(callbacks.ExportStats("bs", "csv")))

    refusal = emulator.calls_to("answerCallbackQuery")[-1].params.get("text")
    assert refusal == RENDERER.text("fa", "admin_only_button")
    assert all(m.document is None for m in user.bot_messages)
    assert [e.action for e in await audit_log(bot)] == ["admin.denied"]


def test_blockers_buttons_carry_the_grouping_and_the_format() -> None:
    for shape, data in (
        (callbacks.ExportStats("b"), "st:b"),
        (callbacks.ExportStats("ba"), "st:ba"),
        (callbacks.ExportStats("bm", "xlsx"), "st:bm:xlsx"),
    ):
        assert callbacks.encode(shape) == data
        assert callbacks.decode(data) == shape
    for forged in ("st:b:csv", "st:bo", "st:bsm", "st:bb", "st:ba:pdf"):
        assert callbacks.decode(forged) is None
