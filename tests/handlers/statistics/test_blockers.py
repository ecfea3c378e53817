"""What blocks agencies, on every surface: the files (CSV, JSON, XLSX), the stats API, the
panel and /stats; small groups left out, and the note typed about a blocked step never shown."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from bot.admin.panel import LANGUAGE_COOKIE
from bot.application import Runtime, start_runtime
from bot.emulator import BotApiEmulator
from bot.settings import Settings
from bot.web import build_web_app
from handlers.i18n import Renderer
from handlers.statistics.blockers import BlockersExport
from handlers.statistics.exports import ExportFormat
from knowledge import KnowledgeBase, Locale
from storage.stats import Dimension
from tests.auxil.admin_panel import ADMIN_TOKEN, sign_in
from tests.auxil.harness import RunningBot, bot_settings, start_bot
from tests.auxil.stats import STATS_TOKEN, readable_text, seed_statistics
from tests.handlers.statistics.plan_data import PLANTED_NOTE, seed_plans

Client = TestClient[Any, Any]
ClientFactory = Callable[..., Awaitable[Client]]
RENDERER = Renderer()
GROUPINGS: list[Dimension | None] = [None, Dimension.SECTOR, Dimension.REGION, Dimension.MONTH]


def settings_for(database_url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        admin_token=ADMIN_TOKEN,  # type: ignore[arg-type]
        stats_api_token=STATS_TOKEN,  # type: ignore[arg-type]
    )


@pytest.fixture
async def runtime(database_url: str) -> AsyncIterator[Runtime]:
    started = await start_runtime(settings_for(database_url))
    yield started
    await started.close()


@pytest.fixture
async def seeded(runtime: Runtime, shipped_kb: KnowledgeBase) -> list[str]:
    """The statistics test data, each completed assessment committed to two steps."""
    await seed_statistics(runtime.session_factory, shipped_kb)
    return [step.step_id for step in await seed_plans(runtime.session_factory, shipped_kb)]


async def export(
    runtime: Runtime, by: Dimension | None, file_format: ExportFormat, locale: Locale
) -> bytes:
    request = BlockersExport(by, file_format, locale)
    return b"".join([c async for c in runtime.services.statistics.export_blockers(request)])


@pytest.mark.parametrize("file_format", list(ExportFormat))
@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_no_blockers_file_contains_the_note_typed_about_a_blocked_step(
    runtime: Runtime, seeded: list[str], file_format: ExportFormat, locale: Locale
) -> None:
    other = RENDERER.entry(locale, "plan_reason", "other")
    for by in GROUPINGS:
        text = readable_text(await export(runtime, by, file_format, locale), file_format.value)
        assert PLANTED_NOTE not in text and "Karimi" not in text, by
        assert other in text  # the reason's label is there: the note is not


async def test_the_csv_file_lists_published_sectors_only_with_shares_in_bounds(
    runtime: Runtime, seeded: list[str], shipped_kb: KnowledgeBase
) -> None:
    content = await export(runtime, Dimension.SECTOR, ExportFormat.CSV, "en")
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Sector", "Table", "Row"]
    labels = {s.key: s.label.en for s in shipped_kb.profile.sectors}
    # Education has two people (k = 5): neither its rows nor its name appear.
    assert {row[0] for row in body} == {labels["health"], labels["utilities"]}
    shares = [row for row in body if row[1] == "Committed steps"]
    assert shares and all(int(row[6]) >= 5 for row in shares)
    for row in shares:
        assert all(0.0 <= float(value) <= 1.0 for value in row[7:10])
    reasons = [row for row in body if row[1] == "Blocking reasons"]
    assert {row[5] for row in reasons} == {"other"}


async def test_the_json_file_has_stable_keys_and_the_xlsx_file_reads_right_to_left(
    runtime: Runtime, seeded: list[str]
) -> None:
    document = json.loads(await export(runtime, Dimension.SECTOR, ExportFormat.JSON, "en"))
    assert document["by"] == "sector" and document["k"] == 5
    steps = [row for row in document["shares"] if row["scope"] == "step"]
    assert {row["step"] for row in steps} == set(seeded)
    assert {row["group"] for row in document["shares"]} == {"health", "utilities"}
    assert {row["reason"] for row in document["reasons"]} == {"other"}

    workbook = load_workbook(io.BytesIO(await export(runtime, None, ExportFormat.XLSX, "fa")))
    assert workbook.sheetnames == ["گام‌های تعهدشده", "دلیل‌های توقف"]
    assert workbook.worksheets[0].sheet_view.rightToLeft


async def test_the_stats_api_serves_the_file_behind_the_token(
    runtime: Runtime, seeded: list[str], database_url: str, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(build_web_app(settings_for(database_url), runtime))
    refused = await client.get("/api/stats/blockers")
    assert refused.status == 401
    auth = {"Authorization": f"Bearer {STATS_TOKEN}"}
    response = await client.get("/api/stats/blockers?by=region&format=csv&lang=en", headers=auth)
    assert response.status == 200
    assert 'filename="pishran-blockers-region.csv"' in response.headers["Content-Disposition"]
    text = (await response.read()).decode("utf-8-sig")
    assert text.startswith("Province,") and PLANTED_NOTE not in text
    bad = await client.get("/api/stats/blockers?by=role", headers=auth)
    assert bad.status == 400


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_the_panel_shows_the_shares_and_downloads_the_file(
    runtime: Runtime,
    seeded: list[str],
    database_url: str,
    aiohttp_client: ClientFactory,
    shipped_kb: KnowledgeBase,
    locale: Locale,
) -> None:
    client = await aiohttp_client(build_web_app(settings_for(database_url), runtime))
    await sign_in(client)
    client.session.cookie_jar.update_cookies({LANGUAGE_COOKIE: locale})
    page = await (await client.get("/admin/stats")).text()
    report = await runtime.services.statistics.blockers()
    (sub,) = {row.subfactor_key for row in report.known_steps() if row.key == seeded[0]}
    assert shipped_kb.subfactor(sub).title.get(locale) in page
    assert RENDERER.entry(locale, "plan_reason", "other") in page
    assert PLANTED_NOTE not in page
    download = await client.get("/admin/stats/blockers?by=month&format=json&lang=en")
    assert download.status == 200
    assert PLANTED_NOTE not in await download.text()


async def test_stats_in_chat_shows_the_blockers_in_both_languages(
    emulator: BotApiEmulator,
    emulator_url: str,
    database_url: str,
    shipped_kb: KnowledgeBase,
) -> None:
    admin_id = 18990
    admins = (admin_id, admin_id + 1)
    settings = bot_settings(emulator, emulator_url, database_url, admin_ids=admins)
    running: RunningBot = await start_bot(emulator, settings)
    try:
        await seed_statistics(running.runtime.session_factory, shipped_kb)
        await seed_plans(running.runtime.session_factory, shipped_kb)
        for locale in ("fa", "en"):
            admin = emulator.user(admin_id + (locale == "en"), language_code=locale)
            await admin.send("/stats")
            text = "\n".join(m.text or "" for m in admin.bot_messages)
            if locale == "en":
                assert "What blocks agencies" in text and "other: " in text
            assert RENDERER.entry(locale, "plan_reason", "other") in text
            assert PLANTED_NOTE not in text
            await admin.send("/plan_stats region")
            assert PLANTED_NOTE not in (admin.last_bot_message.text or "")
            await admin.send("/plan_stats month xlsx")
            document = admin.last_bot_message.document
            assert document is not None
            assert document.filename == "pishran-blockers-month.xlsx"
            assert PLANTED_NOTE not in readable_text(document.data, "xlsx")
    finally:
        await running.stop()
