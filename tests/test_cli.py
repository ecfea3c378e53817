"""The `pishran kb` commands: validate a KB file and export one as JSON or YAML."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from knowledge.loader import load_kb, read_document, shipped_kb_path, validate_document
from knowledge.model import KnowledgeBase

REPOSITORY = Path(__file__).resolve().parents[1]
# Fields that hold a human text ({fa, en}); references are bibliographic and never translated.
TEXT_FIELDS = {"title", "description", "text", "finding", "summary", "label", "dont_know", "help"}


def first_advice_summary(document: dict[str, Any]) -> str:
    """The path, inside a sub-factor, of its first advice summary (schema 2: by band)."""
    return "advice.bands.absent.summary" if document["version"] == 2 else "advice.obstacle.summary"


def broken_document() -> dict[str, Any]:
    doc = copy.deepcopy(read_document(shipped_kb_path()))
    doc["thresholds"]["driver"] = 101
    doc["factors"][0]["subfactors"][1]["evidence"][0]["ref"] = "nobody2099"
    summary: Any = doc["factors"][2]["subfactors"][0]
    for name in first_advice_summary(doc).split("."):
        summary = summary[name]
    del summary["en"]
    return doc


def write_yaml(path: Path, document: Any) -> Path:
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def human_texts(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every value stored under a human-text field name, with its path."""
    if isinstance(node, dict):
        for key, child in node.items():
            child_path = f"{path}.{key}" if path else key
            # A question's `dont_know` advice is no text itself: its `finding` is.
            if key in TEXT_FIELDS and not (isinstance(child, dict) and "finding" in child):
                yield child_path, child
            if key != "references":
                yield from human_texts(child, child_path)
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from human_texts(child, f"{path}[{i}]")


def test_kb_validate_prints_a_one_line_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "validate"]) == 0

    out, err = capsys.readouterr()
    assert err == ""
    assert len(out.splitlines()) == 1
    assert "valid" in out
    assert "4 factors" in out
    assert "16 sub-factors" in out
    assert "50 questions" in out


def test_kb_validate_accepts_a_json_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "kb.json"
    path.write_text(json.dumps(read_document(shipped_kb_path())), encoding="utf-8")

    assert main(["kb", "validate", str(path)]) == 0

    assert str(path) in capsys.readouterr().out


def test_kb_validate_prints_every_problem_with_its_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = broken_document()
    path = write_yaml(tmp_path / "broken.yaml", document)

    assert main(["kb", "validate", str(path)]) == 1

    out, err = capsys.readouterr()
    assert out == ""
    problems = validate_document(document)
    for expected in (
        "thresholds.driver",
        "factors[0].subfactors[1].evidence[0].ref",
        f"factors[2].subfactors[0].{first_advice_summary(document)}.en",
    ):
        assert expected in [p.path for p in problems]
    for problem in problems:
        assert f"{path}: {problem}" in err
    assert f"{len(problems)} problem(s) found" in err


def test_kb_validate_of_a_missing_file_fails_clearly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "missing.yaml"

    assert main(["kb", "validate", str(path)]) == 1

    out, err = capsys.readouterr()
    assert out == ""
    assert str(path) in err
    assert "No such file" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"factors: [\n", "not valid YAML"),
        (b"\xff\xfe\x00\x00", "not UTF-8"),
        (b"- just\n- a list\n", "mapping"),
    ],
)
def test_kb_validate_of_an_unreadable_file_fails_clearly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, raw: bytes, message: str
) -> None:
    path = tmp_path / "kb.yaml"
    path.write_bytes(raw)

    assert main(["kb", "validate", str(path)]) == 1

    err = capsys.readouterr().err
    assert str(path) in err
    assert message in err


def test_kb_export_json_is_a_kb_that_loads(
    capsys: pytest.CaptureFixture[str], shipped_kb: KnowledgeBase
) -> None:
    assert main(["kb", "export", "--format", "json"]) == 0

    assert load_kb(json.loads(capsys.readouterr().out)) == shipped_kb


def test_kb_export_yaml_is_a_kb_that_loads(
    capsys: pytest.CaptureFixture[str], shipped_kb: KnowledgeBase
) -> None:
    assert main(["kb", "export", "--format", "yaml"]) == 0

    assert load_kb(yaml.safe_load(capsys.readouterr().out)) == shipped_kb


def test_kb_export_writes_yaml_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    main(["kb", "export", "--format", "yaml"])
    explicit = capsys.readouterr().out

    assert main(["kb", "export"]) == 0
    assert capsys.readouterr().out == explicit


def test_kb_export_keeps_persian_readable(capsys: pytest.CaptureFixture[str]) -> None:
    for format_ in ("json", "yaml"):
        main(["kb", "export", "--format", format_])
        out = capsys.readouterr().out

        assert "شفافیت" in out
        assert "\\u" not in out


def test_kb_export_of_a_given_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, shipped_kb: KnowledgeBase
) -> None:
    path = write_yaml(tmp_path / "kb.yaml", read_document(shipped_kb_path()))

    assert main(["kb", "export", str(path), "--format", "json"]) == 0

    assert load_kb(json.loads(capsys.readouterr().out)) == shipped_kb


def test_kb_export_of_a_broken_file_fails_with_its_problems(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write_yaml(tmp_path / "broken.yaml", broken_document())

    assert main(["kb", "export", str(path), "--format", "json"]) == 1

    out, err = capsys.readouterr()
    assert out == ""
    assert "thresholds.driver" in err
    assert "factors[0].subfactors[1].evidence[0].ref" in err


def test_kb_export_refuses_an_unknown_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["kb", "export", "--format", "csv"])

    assert exited.value.code == 2
    assert "csv" in capsys.readouterr().err


def test_exported_json_uses_the_designs_names(capsys: pytest.CaptureFixture[str]) -> None:
    main(["kb", "export", "--format", "json"])
    document = json.loads(capsys.readouterr().out)

    assert [f["key"] for f in document["factors"]] == [
        "managerial",
        "organizational",
        "human",
        "infrastructural",
    ]
    assert all({"key", "doi"} <= set(r) for r in document["references"])
    subfactors = [sf for f in document["factors"] for sf in f["subfactors"]]
    assert len(subfactors) == 16
    for sf in subfactors:
        assert isinstance(sf["key"], str)
        assert sf["baseline"] in ("driver", "obstacle")
        assert sf["questions"]
        assert all({"id", "text", "profile"} <= set(q) for q in sf["questions"])
        assert sf["evidence"]
        assert all(isinstance(e["ref"], str) for e in sf["evidence"])
        if document["version"] == 2:
            assert set(sf["advice"]["bands"]) == {band["key"] for band in document["bands"]}
        else:
            assert set(sf["advice"]) == {"obstacle", "driver"}


def test_exported_json_gives_every_human_text_in_fa_and_en(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["kb", "export", "--format", "json"])
    texts = list(human_texts(json.loads(capsys.readouterr().out)))

    assert len(texts) > 300
    for path, text in texts:
        assert isinstance(text, dict), path
        assert set(text) == {"fa", "en"}, path
        assert all(isinstance(v, str) and v for v in text.values()), path


def test_console_script_validates_the_shipped_kb() -> None:
    # Run from the checkout, as a developer would, so a stale editable install cannot interfere.
    result = subprocess.run(
        [sys.executable, "-m", "bot", "kb", "validate"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "16 sub-factors" in result.stdout


def test_console_script_exits_1_for_a_broken_kb(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "broken.yaml", broken_document())

    result = subprocess.run(
        [sys.executable, "-m", "bot", "kb", "validate", str(path)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert "thresholds.driver" in result.stderr


def readme_commands() -> list[list[str]]:
    """The sub-command words of each line in the README's "The command line" block."""
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    block = readme.split("## The command line", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.splitlines():
        if line.startswith("pishran "):
            words = []
            for word in line.split("  ", 1)[0].split()[1:]:  # the description follows 2 spaces
                if not word.isalpha() or not word.islower():
                    break
                words.append(word)
            commands.append(words)
    return commands


def test_the_readme_lists_every_command_and_each_has_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    commands = readme_commands()
    assert ["kb", "import"] in commands and ["stats", "export"] in commands
    for words in commands:
        with pytest.raises(SystemExit) as exit_info:
            main([*words, "--help"])
        assert exit_info.value.code == 0, words
        assert f"usage: pishran {' '.join(words)}" in capsys.readouterr().out
