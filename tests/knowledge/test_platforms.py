"""The KB's platforms: steps name them by key, the names come from the KB in each language,
and the validator refuses unknown or filtered platforms and placeholders nothing fills."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from knowledge import KBValidationError, load_kb, read_document, shipped_kb_path, to_document
from knowledge.platforms import PLACEHOLDERS, Reach, join_names

Document = dict[str, Any]


@pytest.fixture(scope="module")
def shipped() -> Document:
    return read_document(shipped_kb_path())


def step_index(document: Document, step_id: str) -> int:
    return next(i for i, s in enumerate(document["steps"]) if s["id"] == step_id)


def test_names_are_listed_as_alternatives_in_each_language() -> None:
    assert join_names(["بله", "ایتا", "سروش"], "fa") == "بله، ایتا یا سروش"
    assert join_names(["Bale", "Eitaa", "Soroush"], "en") == "Bale, Eitaa or Soroush"
    assert join_names(["بله"], "fa") == "بله"


def test_the_shipped_kb_lists_domestic_messengers_and_marks_telegram_filtered(
    shipped: Document,
) -> None:
    kb = load_kb(shipped)
    reach = {p.key: p.reach for p in kb.platforms}
    assert {reach[k] for k in ("bale", "eitaa", "rubika", "soroush")} == {Reach.DOMESTIC}
    assert reach["telegram"] is Reach.FILTERED and reach["instagram"] is Reach.FILTERED
    assert all(p.note is not None for p in kb.platforms)


def test_no_step_recommends_a_filtered_platform_and_names_come_from_the_field(
    shipped: Document,
) -> None:
    kb = load_kb(shipped)
    filtered = {p.key for p in kb.platforms if p.reach is Reach.FILTERED}
    names = {p.key: p.name for p in kb.platforms}
    recommending = [step for step in kb.steps if step.platforms]
    assert len(recommending) >= 2
    for step in kb.steps:
        assert not set(step.platforms) & filtered, step.id
        texts = [step.text, *(v.text for v in step.variants)]
        for text in texts:
            for locale in ("fa", "en"):
                shown = text.get(locale)
                assert not any(p in shown for p in PLACEHOLDERS), step.id
                for key in step.platforms:
                    assert names[key].get(locale) in shown, (step.id, key)
    # Telegram is named only as a platform not to build on: in the {filtered} phrase.
    for step in kb.steps:
        template = step.template or step.text
        for locale, telegram in (("fa", "تلگرام"), ("en", "Telegram")):
            if telegram in step.text.get(locale):
                assert "{filtered}" in template.get(locale), step.id
                assert telegram not in template.get(locale), step.id


def test_the_document_round_trip_keeps_the_placeholders_and_the_platforms(
    shipped: Document,
) -> None:
    kb = load_kb(shipped)
    document = to_document(kb)
    assert load_kb(document) == kb
    assert document["platforms"] == shipped["platforms"]
    i = step_index(shipped, "pilot_one_service")
    assert document["steps"][i]["text"] == shipped["steps"][i]["text"]
    assert "{platforms}" in document["steps"][i]["text"]["fa"]
    assert document["steps"][i]["platforms"] == shipped["steps"][i]["platforms"]


def _unknown(d: Document) -> None:
    d["steps"][step_index(d, "pilot_one_service")]["platforms"].append("myspace")


def _filtered(d: Document) -> None:
    d["steps"][step_index(d, "pilot_one_service")]["platforms"] = ["telegram"]


def _unused(d: Document) -> None:
    step = d["steps"][step_index(d, "pilot_one_service")]
    step["text"]["en"] = step["text"]["en"].replace("{platforms}", "Bale")


def _missing(d: Document) -> None:
    del d["steps"][step_index(d, "open_accounts_where_citizens_are")]["platforms"]


def _no_filtered(d: Document) -> None:
    d["platforms"] = [p for p in d["platforms"] if p["reach"] != "filtered"]


def _duplicate(d: Document) -> None:
    d["platforms"].append(copy.deepcopy(d["platforms"][0]))


@pytest.mark.parametrize(
    ("mutate", "code", "where"),
    [
        (_unknown, "unknown_platform", ".platforms[4]"),
        (_filtered, "filtered_platform", ".platforms[0]"),
        (_unused, "platforms_unused", ".text"),
        (_missing, "platforms_missing", ".text"),
        (_no_filtered, "platforms_missing", ".text"),
        (_duplicate, "duplicate", "platforms[6].key"),
    ],
)
def test_the_validator_refuses_what_the_platform_rules_forbid(
    shipped: Document, mutate: Callable[[Document], None], code: str, where: str
) -> None:
    document = copy.deepcopy(shipped)
    mutate(document)
    with pytest.raises(KBValidationError) as refused:
        load_kb(document)
    found = [p for p in refused.value.problems if p.code == code]
    assert found and all(p.path.endswith(where) for p in found), refused.value.problems
    assert all(p.describe("fa") and p.describe("en") for p in found)
