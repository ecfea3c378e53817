"""Statistics files: CSV (UTF-8 with BOM, for Excel), JSON and XLSX, written as a stream.

Each writer takes the groups as they come from the database and yields bytes, so that a large
export never sits in memory whole: CSV and JSON a chunk at a time; XLSX through openpyxl's
write-only mode, which keeps rows in a temporary file until the workbook is saved.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from handlers.statistics.table import Cell, StatsTable
from storage.stats import GroupStats

if TYPE_CHECKING:  # openpyxl (about 30 MB) is imported by the first XLSX export only
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell as XlsxCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

__all__ = [
    "CHUNK_BYTES",
    "CONTENT_TYPES",
    "ExportFormat",
    "Sheet",
    "csv_chunks",
    "group_document",
    "json_chunks",
    "sheets_xlsx_chunks",
    "table_csv_chunks",
    "xlsx_chunks",
]

CHUNK_BYTES = 64 * 1024
BOM = "\ufeff"
# Excel's limit on a sheet name, and the characters it refuses in one.
_SHEET_TITLE_LIMIT = 31
_SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})

OnGroup = Callable[[GroupStats], None]


class ExportFormat(StrEnum):
    """The file formats of a statistics export."""

    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"


CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSON: "application/json; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Sheet:
    """An extra table for XLSX (funnel, answers, reliability): a title, a header and rows."""

    def __init__(self, title: str, header: list[str], rows: Iterable[list[Cell]]) -> None:
        self.title, self.header, self.rows = title, header, rows


# OWASP "CSV Injection": a cell whose text starts with one of these is read as a formula by
# spreadsheets; a leading apostrophe keeps it text. Numbers are left as numbers.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: Cell) -> Cell:
    """Text that a spreadsheet would run as a formula, made plain text; anything else as is."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv_cell(value: Cell) -> Cell:
    return "" if value is None else _inert(value)


async def csv_chunks(
    table: StatsTable, groups: AsyncIterator[GroupStats], *, on_group: OnGroup | None = None
) -> AsyncIterator[bytes]:
    """The grouped table as CSV: a BOM, the localised header, one line per group."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([_inert(column.label) for column in table.columns])
    async for group in groups:
        writer.writerow([_csv_cell(cell) for cell in table.row(group)])
        if on_group is not None:
            on_group(group)
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def group_document(table: StatsTable, group: GroupStats) -> dict[str, Any]:
    """One group as JSON: stable keys, labels in the reader's language, figures unrounded."""
    document: dict[str, Any] = {
        "key": {d.value: value for d, value in zip(table.by, group.key, strict=True)},
        "label": table.key_labels(group),
        "suppressed": group.suppressed,
    }
    if group.suppressed:
        return document
    document.update(
        n=group.n,
        readiness=group.readiness,
        factors={f.key: group.factors.get(f.key) for f in table.kb.factors},
        subfactors={
            sf.key: {
                "mean": figures.mean if (figures := group.subfactors.get(sf.key)) else None,
                "driver_share": figures.driver_share if figures else None,
            }
            for sf in table.kb.subfactors
        },
    )
    return document


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


async def json_chunks(
    table: StatsTable,
    groups: AsyncIterator[GroupStats],
    head: dict[str, Any],
    tail: Callable[[], Awaitable[dict[str, Any]]],
    *,
    on_group: OnGroup | None = None,
) -> AsyncIterator[bytes]:
    """One JSON object: `head`'s fields, the columns, the groups (streamed), then `tail`'s."""
    buffer = io.StringIO()
    buffer.write("{")
    for name, value in head.items():
        buffer.write(f"{_json(name)}:{_json(value)},")
    columns = {column.key: column.label for column in table.columns}
    buffer.write(f'"columns":{_json(columns)},"groups":[')
    first = True
    async for group in groups:
        buffer.write(("" if first else ",") + _json(group_document(table, group)))
        first = False
        if on_group is not None:
            on_group(group)
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    buffer.write("]")
    for name, value in (await tail()).items():
        buffer.write(f",{_json(name)}:{_json(value)}")
    buffer.write("}")
    yield buffer.getvalue().encode("utf-8")


def _sheet(workbook: Workbook, title: str, header: list[str], rtl: bool) -> WriteOnlyWorksheet:
    clean = title.translate(_SHEET_TITLE_FORBIDDEN)[:_SHEET_TITLE_LIMIT]
    sheet: WriteOnlyWorksheet = workbook.create_sheet(clean)
    sheet.sheet_view.rightToLeft = rtl
    sheet.freeze_panes = "A2"
    from openpyxl.styles import Alignment, Font, PatternFill

    font = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F4E79")
    alignment = Alignment(wrap_text=True, vertical="top")
    cells = []
    for label in header:
        cell = _xlsx_cell(sheet, label)
        cell.font, cell.fill, cell.alignment = font, fill, alignment
        cells.append(cell)
    sheet.append(cells)
    return sheet


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Cell) -> XlsxCell:
    """A cell whose text is always stored as text: openpyxl would store "=..." as a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell: XlsxCell = WriteOnlyCell(sheet, value=_inert(value))
    if isinstance(value, str):
        cell.data_type = "s"  # never "f" (formula) or "e" (an error code such as #N/A)
    return cell


def _xlsx_row(sheet: WriteOnlyWorksheet, row: Iterable[Cell]) -> list[Cell | XlsxCell]:
    """A row for `sheet.append`: numbers as they are, every text as a text cell."""
    return [_xlsx_cell(sheet, value) if isinstance(value, str) else value for value in row]


async def xlsx_chunks(
    table: StatsTable,
    groups: AsyncIterator[GroupStats],
    title: str,
    extra: Callable[[], Awaitable[list[Sheet]]],
    *,
    on_group: OnGroup | None = None,
) -> AsyncIterator[bytes]:
    """A workbook: the grouped table, then `extra` sheets; right-to-left for Persian."""
    from openpyxl import Workbook  # imported by the first XLSX export, not at start-up

    rtl = table.locale == "fa"
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, title, [column.label for column in table.columns], rtl)
    async for group in groups:
        sheet.append(_xlsx_row(sheet, table.row(group)))
        if on_group is not None:
            on_group(group)
    for more in await extra():
        extra_sheet = _sheet(workbook, more.title, more.header, rtl)
        for row in more.rows:
            extra_sheet.append(_xlsx_row(extra_sheet, row))
    with tempfile.TemporaryFile() as file:
        # Zipping the sheets is the slow part: keep it off the event loop.
        await asyncio.to_thread(workbook.save, file)
        file.seek(0)
        while chunk := file.read(CHUNK_BYTES):
            yield chunk


async def table_csv_chunks(header: list[str], rows: Iterable[list[Cell]]) -> AsyncIterator[bytes]:
    """A table already in memory as CSV: a BOM, the header, the rows (formulas made text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([_inert(label) for label in header])
    writer.writerows([_csv_cell(cell) for cell in row] for row in rows)
    yield buffer.getvalue().encode("utf-8")


async def sheets_xlsx_chunks(sheets: list[Sheet], *, rtl: bool) -> AsyncIterator[bytes]:
    """A workbook of `sheets` (tables already in memory); right-to-left for Persian."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for more in sheets:
        sheet = _sheet(workbook, more.title, more.header, rtl)
        for row in more.rows:
            sheet.append(_xlsx_row(sheet, row))
    with tempfile.TemporaryFile() as file:
        await asyncio.to_thread(workbook.save, file)
        file.seek(0)
        while chunk := file.read(CHUNK_BYTES):
            yield chunk
