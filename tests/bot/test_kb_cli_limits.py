"""`pishran kb validate|import` on hostile files: a clear refusal, a bounded list of problems."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.kb_cli import PROBLEMS_PRINTED
from knowledge import KnowledgeBase, canonical_yaml, to_document, validate_document
from tests.auxil.hostile_kb import alias_bomb, deep_json, deep_yaml


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bomb.yaml", None, "YAML anchors and aliases (&name, *name) are not accepted"),
        ("deep.yaml", deep_yaml(), "the document is nested more than 32 levels deep"),
        ("deep.json", deep_json(), "the document is nested more than 32 levels deep"),
    ],
    ids=["alias_bomb", "deep_yaml", "deep_json"],
)
@pytest.mark.parametrize("command", ["validate", "import"])
def test_a_hostile_file_is_refused_quickly_and_clearly(
    shipped_kb: KnowledgeBase,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    name: str,
    content: bytes | None,
    message: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(alias_bomb(shipped_kb) if content is None else content)

    started = time.monotonic()
    assert main(["kb", command, str(path)]) == 1
    assert time.monotonic() - started < 2

    err = capsys.readouterr().err
    assert f"{path}: {message}" in err
    assert "Traceback" not in err and "RecursionError" not in err


def test_a_file_with_many_problems_prints_the_first_and_counts_the_rest(
    shipped_kb: KnowledgeBase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def strip_persian(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("fa", None)
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, dict | list):
                strip_persian(child)

    document = to_document(shipped_kb)
    strip_persian(document)
    path = tmp_path / "kb.yaml"
    path.write_text(canonical_yaml(document), encoding="utf-8")

    assert main(["kb", "validate", str(path)]) == 1

    lines = capsys.readouterr().err.splitlines()
    total = len(validate_document(document))
    assert total > PROBLEMS_PRINTED
    assert len([line for line in lines if line.endswith(".fa: Field required")]) == PROBLEMS_PRINTED
    assert f"{path}: ... and {total - PROBLEMS_PRINTED} more" in lines
    assert lines[-1] == f"{total} problem(s) found"
