"""The blocking reasons live in the KB: shipped with the six stored keys, checked, round-tripped."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from knowledge.block_reasons import DEFAULT_KEYS, OTHER, block_reason, offered_reasons
from knowledge.diff import diff_kb
from knowledge.document import to_document
from knowledge.loader import (
    KBValidationError,
    load_kb,
    load_shipped_kb,
    read_document,
    shipped_kb_path,
    validate_document,
)
from knowledge.problems import MESSAGES

_SHIPPED = read_document(shipped_kb_path())


def _doc() -> dict[str, Any]:
    return copy.deepcopy(_SHIPPED)


def _codes(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in validate_document(doc)]


def test_the_shipped_kb_lists_the_six_stored_keys_in_order() -> None:
    kb = load_shipped_kb()
    assert offered_reasons(kb) == DEFAULT_KEYS
    budget = block_reason(kb, "budget")
    assert budget is not None and budget.title.fa == "نبود بودجه"
    assert budget.title.en == "no budget"
    assert block_reason(kb, "weather") is None


def test_a_kb_without_the_list_offers_the_default_keys_and_round_trips() -> None:
    doc = _doc()
    del doc["block_reasons"]
    kb = load_kb(doc)
    assert kb.block_reasons == ()
    assert offered_reasons(kb) == DEFAULT_KEYS
    assert block_reason(kb, "budget") is None
    assert "block_reasons" not in to_document(kb)
    assert load_kb(to_document(kb)) == kb


def test_the_list_round_trips_and_its_titles_are_checked_texts() -> None:
    kb = load_shipped_kb()
    assert load_kb(to_document(kb)) == kb
    paths = [path for path, _ in kb.iter_texts()]
    assert "block_reasons[5].title" in paths


def test_an_admin_can_retitle_a_reason_and_the_diff_says_so() -> None:
    doc = _doc()
    doc["block_reasons"][0]["title"] = {"fa": "کمبود اعتبار", "en": "no funds"}
    kb = load_kb(doc)
    reason = block_reason(kb, "budget")
    assert reason is not None and reason.title.en == "no funds"
    assert "block_reasons" in diff_kb(load_shipped_kb(), kb).settings


def test_a_repeated_key_is_refused_where_it_repeats() -> None:
    doc = _doc()
    doc["block_reasons"].append({"key": "budget", "title": {"fa": "دوباره", "en": "again"}})
    assert ("block_reasons[6].key", "duplicate") in _codes(doc)


def test_other_must_be_listed() -> None:
    doc = _doc()
    doc["block_reasons"] = [r for r in doc["block_reasons"] if r["key"] != OTHER]
    assert _codes(doc) == [("block_reasons", "block_reason_other")]
    with pytest.raises(KBValidationError) as raised:
        load_kb(doc)
    message = raised.value.problems[0].message
    assert "'other'" in message
    assert "block_reason_other" in MESSAGES


@pytest.mark.parametrize(
    ("reason", "path", "code"),
    [
        ({"key": "No_Budget", "title": {"fa": "الف", "en": "a"}}, "key", "key_pattern"),
        ({"key": "a" * 25, "title": {"fa": "الف", "en": "a"}}, "key", "string_too_long"),
        ({"key": "slow", "title": {"fa": "الف" * 20, "en": "a"}}, "title.fa", "string_too_long"),
        ({"key": "slow", "title": {"fa": "الف"}}, "title.en", "missing"),
    ],
    ids=["key-shape", "key-too-long-for-a-button", "title-too-long-for-a-button", "no-english"],
)
def test_a_reason_is_a_short_key_and_a_button_title(
    reason: dict[str, Any], path: str, code: str
) -> None:
    doc = _doc()
    doc["block_reasons"].insert(0, reason)
    assert (f"block_reasons[0].{path}", code) in _codes(doc)
