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
from tests.auxil.stats import Seeded, published_count, readable_text, seed_statistics

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
    # Health has 3 + 3 assessments in the two months and education 2: all under k = 5, and
    # left out, keys and all. Utilities' 5 in one month are shown (5 = k: the noise table
    # leaves a count of exactly k as it is).
    utilities = next(s for s in shipped_kb.profile.sectors if s.key == "utilities")
    assert set(shown) == {(utilities.label.get(locale), "2025-01")}
    assert all(key[0] != health for key in shown)
    (utilities_row,) = shown.values()
    assert utilities_row[2] == {"fa": "خیر", "en": "no"}[locale] and utilities_row[3] == "5"


async def test_csv_shows_a_group_of_k_with_its_figures(runtime: Runtime, seeded: Seeded) -> None:
    content = await export(runtime, "sector", ExportFormat.CSV, "fa")

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    by_sector = {row[0]: row for row in rows[1:]}
    health = await published_count(runtime.session_factory, 5, sector="health")
    assert by_sector["سلامت و درمان"][1:3] == ["خیر", str(health)]
    assert 0 <= float(by_sector["سلامت و درمان"][3]) <= 100
    assert "آموزش" not in by_sector  # two assessments: not even listed


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
    assert values[health][2] == await published_count(runtime.session_factory, 5, sector="health")


async def test_json_has_groups_funnel_reliability_and_answers(
    runtime: Runtime, seeded: Seeded, shipped_kb: KnowledgeBase
) -> None:
    content = await export(runtime, "sector", ExportFormat.JSON, "en")

    document = json.loads(content)
    assert document["k"] == 5 and document["by"] == ["sector"]
    groups = {g["key"]["sector"]: g for g in document["groups"]}
    factory = runtime.session_factory
    health = await published_count(factory, 5, sector="health")
    assert groups["health"]["n"] == health and groups["health"]["label"]["sector"] == "Health"
    assert set(groups["health"]["subfactors"]) == {sf.key for sf in shipped_kb.subfactors}
    assert set(groups) == {"health", "utilities"}  # education's two are not listed
    # The funnel's completed count is the same cell as the whole population: the same figure.
    completed = document["funnel"]["completed"]
    assert completed == await published_count(factory, 5) and abs(completed - 13) <= 2
    assert set(document["reliability"]) == {f.key for f in shipped_kb.factors}
    # Two detailed responses only: under k, so no alpha and no count.
    assert all(
        r["alpha"] is None and r["responses"] is None for r in document["reliability"].values()
    )
    # The export cut the first release (13 completions by 12 people): the answer counts are
    # over it, each under k shown as null, none below k.
    assert document["released_at"] is not None
    answers = document["answers"]
    first = shipped_kb.subfactors[0].questions[0].id
    assert answers[first]["total"] == completed  # everyone answered it: the same cell again
    assert all(c is None or c >= 5 for c in answers[first]["counts"].values())


async def test_an_organisation_profile_needs_k_respondents(
    runtime: Runtime, seeded: Seeded
) -> None:
    profile = await statistics(runtime).organisation("water")
    assert profile is not None
    _, group = profile
    water = await published_count(runtime.session_factory, 5, org_code="water")
    assert group.n == water is not None and abs(water - 6) <= 1
    assert await statistics(runtime).organisation("nobody") is None
    request = ExportRequest((), ExportFormat.JSON, "fa", where={Dimension.ORGANISATION: "water"})
    document = json.loads(b"".join([c async for c in statistics(runtime).export(request)]))
    assert document["where"] == {"organisation": "water"}
    assert [g["n"] for g in document["groups"]] == [water]
