"""`pishran kb import`: a KB file becomes the active revision, validated, listed and audited."""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.application import prepare_database
from bot.cli import main
from knowledge import KnowledgeBase, load_kb, read_document, shipped_kb_path, to_document
from storage.audit import list_audit_entries
from storage.db import build_engine, build_session_factory
from storage.kb_revisions import get_kb_revision, list_kb_revisions


@dataclass(frozen=True)
class Stored:
    """What the database holds after a command: revisions (newest first) and audit entries."""

    revisions: list[tuple[int, str, dict[str, Any]]]
    audit: list[tuple[str, str, dict[str, Any]]]


def read_stored(database_url: str) -> Stored:
    async def read() -> Stored:
        engine = build_engine(database_url)
        try:
            async with build_session_factory(engine)() as session:
                rows = await list_kb_revisions(session=session)
                revisions = []
                for row in rows:
                    full = await get_kb_revision(session=session, revision_id=row.id)
                    assert full is not None
                    revisions.append((row.id, row.note, full.content))
                audit = [
                    (e.actor, e.action, e.detail) for e in await list_audit_entries(session=session)
                ]
            return Stored(revisions, audit)
        finally:
            await engine.dispose()

    return asyncio.run(read())


@pytest.fixture
def database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated database holding the shipped KB as revision 1, named by DATABASE_URL."""

    async def prepare() -> None:
        engine = build_engine(database_url)
        try:
            await prepare_database(engine)
        finally:
            await engine.dispose()

    asyncio.run(prepare())
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


def edited(shipped_kb: KnowledgeBase) -> dict[str, Any]:
    """The shipped KB with one question reworded in both languages."""
    document = copy.deepcopy(to_document(shipped_kb))
    question = document["factors"][1]["subfactors"][0]["questions"][0]
    question["text"]["en"] = "Does a written plan name who answers citizens on social media?"
    question["text"]["fa"] = "آیا برنامه‌ای مکتوب، پاسخ‌گوی شهروندان را تعیین کرده است؟"
    return document


def write(path: Path, document: Any) -> Path:
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_import_lists_the_changes_and_activates_an_audited_revision(
    database: str,
    shipped_kb: KnowledgeBase,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = edited(shipped_kb)
    path = write(tmp_path / "kb.yaml", document)

    code = main(["kb", "import", str(path), "--note", "clearer wording"])

    assert code == 0
    out = capsys.readouterr().out
    assert "changes from the active revision 1:" in out
    assert "  questions: 1 changed" in out
    assert "revision 2 is active" in out
    stored = read_stored(database)
    number, note, content = stored.revisions[0]
    assert (number, note) == (2, "clearer wording")
    assert content == to_document(load_kb(document))
    actor, action, detail = stored.audit[0]
    assert actor.startswith("cli") and action == "kb.activate"
    assert detail == {"base": 1, "revision": 2}


def test_a_dry_run_lists_the_changes_and_stores_nothing(
    database: str, shipped_kb: KnowledgeBase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "kb.yaml", edited(shipped_kb))

    assert main(["kb", "import", str(path), "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert "  questions: 1 changed" in out and "dry run: nothing stored" in out
    stored = read_stored(database)
    assert [number for number, _, _ in stored.revisions] == [1]
    assert stored.audit == []


def test_importing_the_active_content_again_changes_nothing(
    database: str, shipped_kb: KnowledgeBase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "kb.yaml", to_document(shipped_kb))

    assert main(["kb", "import", str(path)]) == 0

    assert "identical to the active revision 1: nothing to import" in capsys.readouterr().out
    assert [number for number, _, _ in read_stored(database).revisions] == [1]


def test_an_invalid_file_is_refused_with_every_problem_and_nothing_stored(
    database: str, shipped_kb: KnowledgeBase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = edited(shipped_kb)
    document["thresholds"]["driver"] = 101
    document["factors"][0]["subfactors"][1]["evidence"][0]["ref"] = "nobody2099"
    path = write(tmp_path / "kb.yaml", document)

    assert main(["kb", "import", str(path)]) == 1

    err = capsys.readouterr().err
    assert f"{path}: thresholds.driver" in err
    assert "nobody2099" in err
    assert "2 problem(s) found; nothing imported" in err
    stored = read_stored(database)
    assert [number for number, _, _ in stored.revisions] == [1]
    assert stored.audit == []


def test_a_missing_file_fails_clearly(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nowhere.yaml"

    assert main(["kb", "import", str(path)]) == 1

    assert str(path) in capsys.readouterr().err
    assert [number for number, _, _ in read_stored(database).revisions] == [1]


def with_lint_problems() -> dict[str, Any]:
    """The shipped KB with a mirror link and a Persian text that breaks two writing rules."""
    document = read_document(shipped_kb_path())
    document["references"][1]["url"] = "https://www.scribd.com/document/1/copy"
    document["factors"][0]["description"]["fa"] = "رسانه های اجتماعی در وب 2.0"
    return document


def test_kb_lint_passes_the_shipped_kb(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "lint"]) == 0
    assert "passes the linter" in capsys.readouterr().out


def test_kb_lint_prints_each_problem_with_its_path_code_and_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "kb.yaml", with_lint_problems())

    assert main(["kb", "lint", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: references[1].url: the link points at a copy on scribd.com" in err
    assert "factors[0].description.fa:" in err and "[zwnj_suffix]" in err
    assert "[latin_decimal]" in err and "3 content problem(s) found" in err

    assert main(["kb", "lint", str(path), "--lang", "fa"]) == 1
    assert "نیم‌فاصله" in capsys.readouterr().err


def test_kb_lint_takes_more_mirror_domains_and_the_research_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = read_document(shipped_kb_path())
    document["references"][1]["url"] = "https://papers.example.org/copy"
    path = write(tmp_path / "kb.yaml", document)
    assert main(["kb", "lint", str(path)]) == 0
    assert main(["kb", "lint", str(path), "--deny-domain", "example.org"]) == 1
    assert "copy on example.org" in capsys.readouterr().err

    records = write(tmp_path / "records.yaml", {"references": []})
    assert main(["kb", "lint", "--references", str(records)]) == 1
    assert "[unconfirmed_ref]" in capsys.readouterr().err


def test_kb_validate_strict_applies_the_linter_and_plain_validate_does_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "kb.yaml", with_lint_problems())

    assert main(["kb", "validate", str(path)]) == 0
    assert "valid -" in capsys.readouterr().out
    assert main(["kb", "validate", "--strict", str(path)]) == 1
    assert "3 content problem(s) found" in capsys.readouterr().err
    assert main(["kb", "validate", "--strict"]) == 0
