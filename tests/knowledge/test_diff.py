"""What changed between two knowledge bases: items by key, settings, order, and a line diff."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from knowledge import (
    KBDiff,
    KnowledgeBase,
    SectionDiff,
    canonical_yaml,
    diff_kb,
    document_diff,
    load_kb,
    to_document,
)
from tests.knowledge.factories import make_kb

Edit = Callable[[dict[str, Any]], None]


def _edited(kb: KnowledgeBase, edit: Edit) -> KnowledgeBase:
    document = copy.deepcopy(to_document(kb))
    edit(document)
    return load_kb(document)


def _first_subfactor(doc: dict[str, Any]) -> dict[str, Any]:
    subfactor: dict[str, Any] = doc["factors"][0]["subfactors"][0]
    return subfactor


def _retitle_subfactor(doc: dict[str, Any]) -> None:
    _first_subfactor(doc)["title"]["en"] = "Openness"


def _reword_question(doc: dict[str, Any]) -> None:
    _first_subfactor(doc)["questions"][0]["text"]["fa"] = "آیا گزارش‌ها منتشر می‌شوند؟"


def _add_question(doc: dict[str, Any]) -> None:
    question = copy.deepcopy(_first_subfactor(doc)["questions"][0])
    question["id"] = "transparency_new"
    question["profile"] = "detailed"
    _first_subfactor(doc)["questions"].append(question)


def _remove_evidence(doc: dict[str, Any]) -> None:
    _first_subfactor(doc)["evidence"].pop(0)


def _change_evidence_effect(doc: dict[str, Any]) -> None:
    evidence = _first_subfactor(doc)["evidence"][0]
    evidence["effect"] = "mixed" if evidence["effect"] != "mixed" else "driver"


def _reword_advice(doc: dict[str, Any]) -> None:
    advice = _first_subfactor(doc)["advice"]
    # A version 1 document has one text for the bands partly and established (the driver's).
    summary = (
        advice["bands"]["partly"]["summary"] if "bands" in advice else advice["driver"]["summary"]
    )
    summary["en"] = "Keep publishing."


def _reword_step(doc: dict[str, Any]) -> None:
    doc["steps"][0]["text"]["en"] = "Name one owner this week."


def _require_step(doc: dict[str, Any]) -> None:
    doc["steps"][-1]["requires"] = ["name_owner"]


def _move_band(doc: dict[str, Any]) -> None:
    doc["bands"][1]["min"] = 30


def _change_reference(doc: dict[str, Any]) -> None:
    doc["references"][0]["pages"] = "1-99"


def _add_reference(doc: dict[str, Any]) -> None:
    doc["references"].append({"key": "new2026", "authors": ["A. Author"], "title": "A study"})


def _change_threshold(doc: dict[str, Any]) -> None:
    doc["thresholds"]["driver"] = 55


def _move_question(doc: dict[str, Any]) -> None:
    question = _first_subfactor(doc)["questions"].pop()
    doc["factors"][0]["subfactors"][1]["questions"].append(question)


def _rename_factor(doc: dict[str, Any]) -> None:
    doc["factors"][0]["description"]["en"] = "How the agency is led."


def _one(section: str, kind: str, key: str) -> dict[str, SectionDiff]:
    return {section: SectionDiff(**{kind: (key,)})}


SHIPPED_FIRST = "transparency"


@pytest.mark.parametrize(
    ("edit", "expected", "settings"),
    [
        (_retitle_subfactor, _one("subfactors", "changed", SHIPPED_FIRST), ()),
        (_reword_question, _one("questions", "changed", "tra_c1"), ()),
        (_add_question, _one("questions", "added", "transparency_new"), ()),
        (_change_reference, _one("references", "changed", "seed"), ()),
        (_add_reference, _one("references", "added", "new2026"), ()),
        (_rename_factor, _one("factors", "changed", "managerial"), ()),
        (_change_threshold, {}, ("thresholds",)),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_each_kind_of_edit_is_reported_in_its_own_section(
    shipped_kb: KnowledgeBase,
    edit: Edit,
    expected: dict[str, SectionDiff],
    settings: tuple[str, ...],
) -> None:
    new = _edited(shipped_kb, edit)
    diff = diff_kb(shipped_kb, new)
    for name, section in diff.sections:
        assert section == expected.get(name, SectionDiff()), name
    assert diff.settings == settings
    assert not diff.is_empty


def test_reworded_advice_is_keyed_by_subfactor_and_band(shipped_kb: KnowledgeBase) -> None:
    diff = diff_kb(shipped_kb, _edited(shipped_kb, _reword_advice))
    bands = ("partly",) if shipped_kb.version == 2 else ("partly", "established")
    assert diff.advice == SectionDiff(changed=tuple(f"{SHIPPED_FIRST}.{b}" for b in bands))
    assert all(section.is_empty for name, section in diff.sections if name != "advice")


@pytest.mark.parametrize(
    ("edit", "expected", "settings"),
    [
        (_reword_advice, _one("advice", "changed", "transparency.partly"), ()),
        (_reword_step, _one("steps", "changed", "name_owner"), ()),
        (_require_step, _one("steps", "changed", "keep_going"), ()),
        (_move_band, {}, ("bands",)),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_v2_edits_to_steps_and_bands_are_reported(
    edit: Edit, expected: dict[str, SectionDiff], settings: tuple[str, ...]
) -> None:
    kb = make_kb()
    diff = diff_kb(kb, _edited(kb, edit))
    for name, section in diff.sections:
        assert section == expected.get(name, SectionDiff()), name
    assert diff.settings == settings


def test_the_keys_used_in_the_shipped_kb_are_the_ones_the_table_above_assumes(
    shipped_kb: KnowledgeBase,
) -> None:
    first = shipped_kb.factors[0].subfactors[0]
    assert (shipped_kb.factors[0].key, first.key) == ("managerial", SHIPPED_FIRST)
    assert first.questions[0].id == "tra_c1"
    assert shipped_kb.references[0].key == "seed"


def test_removed_evidence_and_a_changed_effect_are_keyed_by_subfactor_and_reference(
    shipped_kb: KnowledgeBase,
) -> None:
    ref = shipped_kb.factors[0].subfactors[0].evidence[0].ref
    removed = diff_kb(shipped_kb, _edited(shipped_kb, _remove_evidence)).evidence
    changed = diff_kb(shipped_kb, _edited(shipped_kb, _change_evidence_effect)).evidence
    assert removed == SectionDiff(removed=(f"{SHIPPED_FIRST}/{ref}",))
    assert changed == SectionDiff(changed=(f"{SHIPPED_FIRST}/{ref}",))


def test_a_question_moved_to_another_subfactor_is_changed_and_reordered(
    shipped_kb: KnowledgeBase,
) -> None:
    moved = shipped_kb.factors[0].subfactors[0].questions[-1].id
    diff = diff_kb(shipped_kb, _edited(shipped_kb, _move_question))
    assert diff.questions == SectionDiff(changed=(moved,))
    assert diff.subfactors.is_empty
    assert diff.reordered == ("questions",)  # it is now asked later in the checklist


def test_removing_a_subfactor_removes_its_questions_evidence_and_advice(
    shipped_kb: KnowledgeBase,
) -> None:
    def drop_last(doc: dict[str, Any]) -> None:
        doc["factors"][-1]["subfactors"].pop()

    gone = shipped_kb.factors[-1].subfactors[-1]
    diff = diff_kb(shipped_kb, _edited(shipped_kb, drop_last))
    assert diff.subfactors.removed == (gone.key,)
    assert diff.questions.removed == tuple(q.id for q in gone.questions)
    assert len(diff.evidence.removed) == len(gone.evidence)
    assert diff.advice.removed == tuple(f"{gone.key}.{b.key}" for b in shipped_kb.bands)
    # And adding it back is the mirror image.
    back = diff_kb(_edited(shipped_kb, drop_last), shipped_kb)
    assert back.subfactors.added == (gone.key,)


def test_reordering_references_is_reported_as_order_only(shipped_kb: KnowledgeBase) -> None:
    def swap(doc: dict[str, Any]) -> None:
        refs = doc["references"]
        refs[0], refs[1] = refs[1], refs[0]

    diff = diff_kb(shipped_kb, _edited(shipped_kb, swap))
    assert diff.reordered == ("references",)
    assert all(section.is_empty for _, section in diff.sections)
    assert not diff.is_empty


def test_a_knowledge_base_compared_with_itself_or_its_round_trip_has_no_changes(
    shipped_kb: KnowledgeBase,
) -> None:
    assert diff_kb(shipped_kb, shipped_kb).is_empty
    reloaded = load_kb(yaml.safe_load(canonical_yaml(to_document(shipped_kb))))
    diff = diff_kb(shipped_kb, reloaded)
    empty = SectionDiff()
    assert diff == KBDiff(empty, empty, empty, empty, empty, empty)
    assert diff.is_empty


def test_canonical_yaml_keeps_persian_text_one_line_per_value_and_round_trips(
    shipped_kb: KnowledgeBase,
) -> None:
    document = to_document(shipped_kb)
    text = canonical_yaml(document)
    assert shipped_kb.factors[0].title.fa in text  # Unicode kept, not \u escapes
    longest = max((t.fa for _, t in shipped_kb.iter_texts()), key=len)
    assert any(longest in line for line in text.splitlines())  # never wrapped
    assert yaml.safe_load(text) == document
    assert text.index("scale:") < text.index("factors:") < text.index("references:")


def test_document_diff_shows_the_changed_line_with_its_context(shipped_kb: KnowledgeBase) -> None:
    before = to_document(shipped_kb)
    after = to_document(_edited(shipped_kb, _reword_advice))
    lines = document_diff(before, after, old_name="revision 1", new_name="revision 2")
    assert lines[:2] == ["--- revision 1", "+++ revision 2"]
    removed = [line for line in lines if line.startswith("-") and not line.startswith("---")]
    added = [line for line in lines if line.startswith("+") and not line.startswith("+++")]
    assert len(removed) == len(added) == 1
    assert "Keep publishing." in added[0]
    assert document_diff(before, before) == []
