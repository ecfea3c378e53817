"""Bounded parsing: aliases, deep nesting, too many values and slow files are refused early."""

from __future__ import annotations

import pytest
import yaml

from knowledge import KnowledgeBase, canonical_yaml, to_document
from knowledge.loader import KBValidationError, parse_document, read_document, shipped_kb_path
from knowledge.parsing import MAX_DEPTH, MAX_NODES
from tests.auxil.hostile_kb import alias_bomb, deep_json, deep_yaml, many_values


def refusal(raw: bytes, suffix: str = ".yaml", **limits: float) -> tuple[str, str, str]:
    """The one problem of a refused document: its code, English and Persian text."""
    with pytest.raises(KBValidationError) as caught:
        parse_document(raw, suffix=suffix, **limits)
    (problem,) = caught.value.problems
    return problem.code, problem.describe("en"), problem.describe("fa")


def test_the_reviews_alias_bomb_is_refused_before_it_expands(shipped_kb: KnowledgeBase) -> None:
    # Expanded, the bomb is 10,000 sub-factors: far past the node limit and slow to compose.
    # "aliases" rather than "too_many_nodes" or "too_slow" shows the first alias stopped it.
    code, english, persian = refusal(alias_bomb(shipped_kb))
    assert code == "aliases"
    assert "anchors and aliases" in english and "write each value out in full" in english
    assert "لنگر و ارجاع YAML" in persian


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "base: &b {k: 1}\nother:\n  <<: *b\n",
        "- &x [1]\n- [*x, *x]\n",
    ],
    ids=["scalar", "merge_key", "list"],
)
def test_any_alias_is_refused(text: str) -> None:
    assert refusal(text.encode())[0] == "aliases"


def test_an_anchor_that_is_never_used_is_harmless() -> None:
    assert parse_document("a: &x {k: 1}\nb: 2\n") == {"a": {"k": 1}, "b": 2}


@pytest.mark.parametrize(
    ("raw", "suffix"),
    [
        (deep_yaml(), ".yaml"),
        (deep_yaml(MAX_DEPTH + 1), ".yaml"),
        (("a:\n" + "".join(" " * i + "a:\n" for i in range(1, 60))).encode(), ".yaml"),
        (deep_json(), ".json"),
        (deep_json(MAX_DEPTH + 1), ".json"),
    ],
    ids=["flow_200k", "flow_just_over", "block_60", "json_200k", "json_just_over"],
)
def test_deep_nesting_is_refused_not_a_recursion_error(raw: bytes, suffix: str) -> None:
    code, english, persian = refusal(raw, suffix)
    assert code == "too_deep"
    assert english == f"the document is nested more than {MAX_DEPTH} levels deep"
    assert persian == "تودرتویی سند بیش از ۳۲ سطح است"


def test_nesting_up_to_the_limit_parses() -> None:
    depth = MAX_DEPTH - 1  # the top-level mapping is the first level
    value = parse_document(b"a: " + b"[" * depth + b"]" * depth)["a"]
    levels = 0
    while isinstance(value, list):
        levels += 1
        value = value[0] if value else None
    assert levels == depth


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_too_many_values_are_refused(suffix: str) -> None:
    raw = many_values(MAX_NODES + 10)
    if suffix == ".json":
        raw = b'{"references": [' + b", ".join([b"1"] * (MAX_NODES + 10)) + b"]}"
    code, english, persian = refusal(raw, suffix)
    assert code == "too_many_nodes"
    assert english == f"the document has more than {MAX_NODES} values"
    assert "مقدار دارد" in persian


def test_parsing_stops_at_its_time_limit() -> None:
    code, english, persian = refusal(many_values(20_000), time_limit=0)
    assert (code, english) == ("too_slow", "reading the document took too long")
    assert persian == "خواندن سند بیش از اندازه طول کشید"


def test_the_shipped_kb_parses_as_with_the_plain_safe_loader() -> None:
    text = shipped_kb_path().read_text(encoding="utf-8")
    assert read_document(shipped_kb_path()) == yaml.safe_load(text)


def test_an_exported_kb_has_no_aliases_and_imports_again(shipped_kb: KnowledgeBase) -> None:
    document = to_document(shipped_kb)
    # The same list twice in one document: a plain dumper would write an anchor and an alias.
    bands = document["factors"][0]["subfactors"][0]["advice"]["bands"]
    bands["started"]["steps"] = bands["absent"]["steps"]
    text = canonical_yaml(document)
    assert "&id" not in text and "*id" not in text
    assert parse_document(text) == document
