"""Statistics files: CSV with a BOM that round-trips Persian, JSON, right-to-left XLSX, and no
Telegram id or typed text in any of them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator

import pytest
from openpyxl import load_workbook

from bot.application import Runtime, start_runtime
from bot.settings import Settings
from handlers.statistics.exports import ExportFormat
from handlers.statistics.service import ExportRequest, Statistics
from knowledge import KnowledgeBase, Locale
from storage.stats import Dimension, parse_dimensions
from tests.auxil.stats import Seeded, readable_text, seed_statistics

GROUPINGS = ["", "sector", "organisation", "sector,month", "region,role", "organisation,month"]


@pytest.fixture
async def runtime(database_url: str) -> AsyncIterator[Runtime]:
    """A migrated database with the shipped KB, and the services (k = 5), without a bot."""
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    started = await start_runtime(settings)
    yield started
    await started.close()


@pytest.fixture
async def seeded(runtime: Runtime, shipped_kb: KnowledgeBase) -> Seeded:
    """The statistics test data, stored."""
    return await seed_statistics(runtime.session_factory, shipped_kb)


def statistics(runtime: Runtime) -> Statistics:
    service = runtime.services.statistics
    assert service is not None
    return service


async def export(runtime: Runtime, by: str, file_format: ExportFormat, locale: Locale) -> bytes:
    request = ExportRequest(parse_dimensions(by), file_format, locale)
    return b"".join([chunk async for chunk in statistics(runtime).export(request)])


@pytest.mark.parametrize("file_format", list(ExportFormat))
@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_no_export_contains_a_telegram_id_or_typed_text(
    runtime: Runtime, seeded: Seeded, file_format: ExportFormat, locale: Locale
) -> None:
    for by in GROUPINGS:
        text = readable_text(await export(runtime, by, file_format, locale), file_format.value)
        for telegram_id in seeded.telegram_ids:
            assert str(telegram_id) not in text, (by, telegram_id)
        for typed in seeded.typed_texts:
            assert typed not in text, (by, typed)


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_csv_starts_with_a_bom_and_round_trips_persian(
    runtime: Runtime, seeded: Seeded, shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    content = await export(runtime, "sector,month", ExportFormat.CSV, locale)

    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    health = next(s for s in shipped_kb.profile.sectors if s.key == "health").label.get(locale)
    sector_column = {"fa": "بخش", "en": "Sector"}[locale]
    assert header[:2] == [sector_column, {"fa": "ماه", "en": "Month"}[locale]]
    assert len({len(row) for row in rows}) == 1
    shown = {(row[0], row[1]): row for row in body}
    # Health has 3 + 3 assessments in the two months and education 2: all under k = 5, all
    # suppressed. Utilities' 5 in one month are shown.
    utilities = next(s for s in shipped_kb.profile.sectors if s.key == "utilities")
    assert set(shown) >= {(health, "2025-01"), (health, "2025-02")}
    suppressed_word = {"fa": "بله", "en": "yes"}[locale]
    hidden = [row for key, row in shown.items() if key[0] != utilities.label.get(locale)]
    assert len(hidden) == 3
    assert all(row[2] == suppressed_word and row[3] == "" for row in hidden)
    (utilities_row,) = [row for key, row in shown.items() if key[0] == utilities.label.get(locale)]
    assert utilities_row[2] != suppressed_word and utilities_row[3] == "5"


async def test_csv_shows_a_group_of_k_with_its_figures(runtime: Runtime, seeded: Seeded) -> None:
    content = await export(runtime, "sector", ExportFormat.CSV, "fa")

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    by_sector = {row[0]: row for row in rows[1:]}
    assert by_sector["سلامت و درمان"][1:3] == ["خیر", "6"]
    assert 0 <= float(by_sector["سلامت و درمان"][3]) <= 100
    assert by_sector["آموزش"][1:] == ["بله"] + [""] * (len(rows[0]) - 2)


@pytest.mark.parametrize(("locale", "rtl"), [("fa", True), ("en", False)])
async def test_xlsx_opens_with_a_styled_header_right_to_left_for_persian(
    runtime: Runtime, seeded: Seeded, locale: Locale, rtl: bool
) -> None:
    content = await export(runtime, "sector", ExportFormat.XLSX, locale)

    workbook = load_workbook(io.BytesIO(content))
    assert len(workbook.worksheets) == 4  # groups, funnel, reliability, answers
    for sheet in workbook.worksheets:
        assert bool(sheet.sheet_view.rightToLeft) is rtl
        assert sheet["A1"].font.bold
    groups = workbook.worksheets[0]
    header = [cell.value for cell in groups[1]]
    assert header[0] == {"fa": "بخش", "en": "Sector"}[locale]
    values = {row[0]: row for row in groups.iter_rows(min_row=2, values_only=True)}
    health = {"fa": "سلامت و درمان", "en": "Health"}[locale]
    assert values[health][2] == 6


async def test_json_has_groups_funnel_reliability_and_answers(
    runtime: Runtime, seeded: Seeded, shipped_kb: KnowledgeBase
) -> None:
    content = await export(runtime, "sector", ExportFormat.JSON, "en")

    document = json.loads(content)
    assert document["k"] == 5 and document["by"] == ["sector"]
    groups = {g["key"]["sector"]: g for g in document["groups"]}
    assert groups["health"]["n"] == 6 and groups["health"]["label"]["sector"] == "Health"
    assert set(groups["health"]["subfactors"]) == {sf.key for sf in shipped_kb.subfactors}
    assert groups["education"] == {
        "key": {"sector": "education"},
        "label": {"sector": "Education"},
        "suppressed": True,
    }
    assert document["funnel"]["completed"] == 13
    assert set(document["reliability"]) == {f.key for f in shipped_kb.factors}
    # Two detailed responses only: under k, so no alpha and no count.
    assert all(
        r["alpha"] is None and r["responses"] is None for r in document["reliability"].values()
    )
    answers = document["answers"]
    first = shipped_kb.subfactors[0].questions[0].id
    assert answers[first]["total"] == 13
    assert sum(answers[first]["counts"].values()) == 13


async def test_an_organisation_profile_needs_k_respondents(
    runtime: Runtime, seeded: Seeded
) -> None:
    profile = await statistics(runtime).organisation("water")
    assert profile is not None
    _, group = profile
    assert group.n == 6
    assert await statistics(runtime).organisation("nobody") is None
    request = ExportRequest((), ExportFormat.JSON, "fa", where={Dimension.ORGANISATION: "water"})
    document = json.loads(b"".join([c async for c in statistics(runtime).export(request)]))
    assert document["where"] == {"organisation": "water"}
    assert [g["n"] for g in document["groups"]] == [6]
