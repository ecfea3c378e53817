"""`pishran stats export`: files from the command line, with the database from DATABASE_URL."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.application import prepare_database
from bot.cli import main
from knowledge import KnowledgeBase
from storage.db import build_engine, build_session_factory
from tests.auxil.stats import Seeded, published_count, seed_statistics


@pytest.fixture
def seeded_database(
    database_url: str, shipped_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> Seeded:
    """A migrated database with the statistics test data, named by DATABASE_URL."""

    async def seed() -> Seeded:
        engine = build_engine(database_url)
        try:
            await prepare_database(engine)
            return await seed_statistics(build_session_factory(engine), shipped_kb)
        finally:
            await engine.dispose()

    seeded = asyncio.run(seed())
    monkeypatch.setenv("DATABASE_URL", database_url)
    return seeded


def test_a_csv_export_by_sector_and_month(
    seeded_database: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "stats.csv"

    code = main(
        [
            "stats",
            "export",
            "--by",
            "sector,month",
            "--format",
            "csv",
            "--lang",
            "fa",
            "--out",
            str(out),
        ]
    )

    assert code == 0
    content = out.read_bytes()
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["بخش", "ماه"]
    # Only utilities' five in one month reach k = 5: health's two months (three each) and
    # education's two are left out, not even listed.
    assert [row[:2] for row in rows[1:]] == [["آب، برق و گاز", "2025-01"]]
    assert "1 group(s) exported as csv" in capsys.readouterr().err


@pytest.mark.parametrize("file_format", ["json", "xlsx"])
def test_other_formats_and_no_identifiers(
    seeded_database: Seeded, tmp_path: Path, file_format: str
) -> None:
    out = tmp_path / f"stats.{file_format}"

    assert (
        main(
            ["stats", "export", "--by", "organisation", "--format", file_format, "--out", str(out)]
        )
        == 0
    )

    if file_format == "json":
        document = json.loads(out.read_bytes())
        assert {g["key"]["organisation"] for g in document["groups"]} == {"water", None}
        text = out.read_text(encoding="utf-8")
    else:
        workbook = load_workbook(out)
        assert workbook.worksheets[0].sheet_view.rightToLeft  # DEFAULT_LANGUAGE is fa
        text = "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
        )
    assert all(str(telegram_id) not in text for telegram_id in seeded_database.telegram_ids)
    assert all(typed not in text for typed in seeded_database.typed_texts)


def published(database_url: str, **where: str) -> int | None:
    """What the statistics publish as the count of completed assessments matching `where`."""

    async def count() -> int | None:
        engine = build_engine(database_url)
        try:
            return await published_count(build_session_factory(engine), 5, **where)
        finally:
            await engine.dispose()

    return asyncio.run(count())


def test_standard_output(
    seeded_database: Seeded, database_url: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["stats", "export", "--format", "json", "--lang", "en", "--out", "-"]) == 0

    document = json.loads(capsysbinary.readouterr().out)
    # 13 completed, published with the noise of their cell (at most 2 either way).
    n = document["groups"][0]["n"]
    assert document["by"] == [] and n == published(database_url) and abs(n - 13) <= 2


@pytest.mark.parametrize("by", ["name", "sector,region,month"])
def test_a_bad_grouping_is_refused(by: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["stats", "export", "--by", by, "--out", "x.csv"])
    assert "argument --by" in capsys.readouterr().err
