"""`pishran stats export --table blockers`: what blocks agencies, from the command line."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.application import prepare_database
from bot.cli import main
from knowledge import KnowledgeBase
from storage.db import build_engine, build_session_factory
from tests.auxil.stats import readable_text, seed_statistics
from tests.handlers.statistics.plan_data import PLANTED_NOTE, seed_plans

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def seeded_plans(
    database_url: str, shipped_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """The statistics test data with committed plan steps (one blocked with a typed note)."""

    async def seed() -> list[str]:
        engine = build_engine(database_url)
        try:
            await prepare_database(engine)
            session_factory = build_session_factory(engine)
            await seed_statistics(session_factory, shipped_kb)
            return [step.step_id for step in await seed_plans(session_factory, shipped_kb)]
        finally:
            await engine.dispose()

    steps = asyncio.run(seed())
    monkeypatch.setenv("DATABASE_URL", database_url)
    return steps


def export(*args: str) -> list[str]:
    return ["stats", "export", "--table", "blockers", *args]


def test_a_csv_file_by_sector_lists_published_sectors_only(
    seeded_plans: list[str],
    shipped_kb: KnowledgeBase,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "blockers.csv"

    assert main(export("--by", "sector", "--format", "csv", "--lang", "en", "--out", str(out))) == 0

    content = out.read_bytes()
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Sector", "Table", "Row"]
    labels = {s.key: s.label.en for s in shipped_kb.profile.sectors}
    # Education has two people (k = 5): neither its rows nor its name appear.
    assert {row[0] for row in rows[1:]} == {labels["health"], labels["utilities"]}
    reasons = [row for row in rows[1:] if row[1] == "Blocking reasons"]
    assert reasons and {row[5] for row in reasons} == {"other"}  # the KB's title of `other`
    assert PLANTED_NOTE not in content.decode("utf-8-sig")
    assert "pishran-blockers-sector.csv exported" in capsys.readouterr().err


@pytest.mark.parametrize("file_format", ["json", "xlsx"])
def test_json_and_xlsx_files_keep_the_typed_note_out(
    seeded_plans: list[str], tmp_path: Path, file_format: str
) -> None:
    out = tmp_path / f"blockers.{file_format}"

    assert main(export("--by", "month", "--format", file_format, "--out", str(out))) == 0

    content = out.read_bytes()
    text = readable_text(content, file_format)
    assert PLANTED_NOTE not in text and "Karimi" not in text
    if file_format == "json":
        document = json.loads(content)
        assert document["by"] == "month" and document["k"] == 5
        assert {row["reason"] for row in document["reasons"]} == {"other"}
        assert {row["step"] for row in document["shares"] if row["scope"] == "step"} == set(
            seeded_plans
        )
    else:
        workbook = load_workbook(out)  # DEFAULT_LANGUAGE is fa: right to left, Persian names
        assert workbook.sheetnames == ["گام‌های تعهدشده", "دلیل‌های توقف"]
        assert workbook.worksheets[0].sheet_view.rightToLeft


def test_standard_output(
    seeded_plans: list[str], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(export("--format", "json", "--lang", "en", "--out", "-")) == 0

    document = json.loads(capsysbinary.readouterr().out)
    assert document["by"] is None and document["language"] == "en"
    assert {row["group"] for row in document["shares"]} == {None}


@pytest.mark.parametrize("by", ["organisation", "sector,month", "name"])
def test_a_grouping_the_blockers_do_not_have_is_refused(
    by: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(export("--by", by, "--out", "x.csv"))
    assert exit_info.value.code == 2
    assert "argument --by" in capsys.readouterr().err


def test_the_console_script_help_names_the_blockers_table() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "export", "--help"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    shown = " ".join(result.stdout.split())  # argparse wraps lines
    assert "--table {readiness,blockers}" in shown
    assert "--table blockers: what blocks agencies in practice" in shown
