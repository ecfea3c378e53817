"""Every Persian catalog text passes the KB linter's Persian rules, markup and placeholders aside.

The same rules as `pishran kb lint` (glossary words, half-spaces, Persian ی/ک and punctuation, no
ezafe mark, no middle dot, no stray Latin words) hold for what the bot, the admin panel and the
playground show, so that a word the glossary replaced cannot come back through a catalog.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from handlers.i18n import Renderer
from knowledge import KnowledgeBase
from knowledge.lint import catalog_problems
from tests.handlers.test_templates import admin_texts, checklist_texts, other_feature_texts

ROOT = Path(__file__).resolve().parents[2]
LATIN = re.compile("[A-Za-z]")
CATALOGS = sorted(
    [*ROOT.glob("handlers/*/locales/fa/*.yaml"), *ROOT.glob("bot/*/locales/fa/*.yaml")]
)
# Latin words a catalog shows on purpose: a language's own name in the language switch, the
# server setting an administrator types, the README sections a developer looks up.
ALLOWED: dict[str, frozenset[str]] = {
    "bot/admin/locales/fa/panel.yaml": frozenset({"English", "ADMIN", "TOKEN"}),
    "bot/playground/locales/fa/playground.yaml": frozenset(
        {"README", "md", "Running", "against", "on", "Telegram", "Bale"}
    ),
}


def texts(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, child in node.items():
            yield from texts(child, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from texts(child, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def test_the_persian_catalogs_are_found() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in CATALOGS}
    assert "handlers/checklist/locales/fa/checklist.yaml" in names
    assert set(ALLOWED) <= names


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_persian_catalog_passes_the_persian_rules(catalog: Path) -> None:
    name = catalog.relative_to(ROOT).as_posix()
    allowed = ALLOWED.get(name, frozenset())
    document = yaml.safe_load(catalog.read_text(encoding="utf-8"))
    problems = [
        f"{problem.path}: {problem.describe('en')}"
        for path, text in texts(document)
        for problem in catalog_problems(path, text, allowed)
    ]
    assert problems == []


def test_every_rendered_persian_message_passes_the_persian_rules(shipped_kb: KnowledgeBase) -> None:
    """Templates join catalog texts, KB texts and numbers: the result must still read right.

    Latin words are left to the catalogs' rule above: rendered messages quote English
    citations, user input and the validator's English messages to administrators.
    """
    renderer = Renderer()
    problems = set()
    for samples in (checklist_texts, other_feature_texts, admin_texts):
        for sample in samples(renderer, shipped_kb, "fa"):
            for text in sample:
                for problem in catalog_problems(samples.__name__, text):
                    shown = str(dict(problem.params).get("text", ""))
                    if problem.code == "latin_word" or LATIN.search(shown):
                        continue  # inside an English citation title, as in 'Web 2.0'
                    problems.add(f"{problem.path}: {problem.describe('en')}")
    assert sorted(problems) == []
