"""The panel's edit forms: every item round-trips untouched, values go back where they belong."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.admin.forms import (
    EditTarget,
    FormSection,
    apply_form,
    attach_problems,
    build_form,
    item_path,
    submitted_form,
)
from bot.settings import Settings
from knowledge import KnowledgeBase, to_document, validate_document


def _items(kb: KnowledgeBase) -> list[tuple[EditTarget, str]]:
    return [
        *((EditTarget.FACTOR, f.key) for f in kb.factors),
        *((EditTarget.SUBFACTOR, sf.key) for sf in kb.subfactors),
        *((EditTarget.REFERENCE, r.key) for r in kb.references),
    ]


def _typed(sections: list[FormSection]) -> dict[str, str]:
    return {f.name: f.value for s in sections for f in s.fields}


def _edit(document: dict[str, Any], target: EditTarget, key: str, **changes: str) -> Any:
    path = item_path(document, target, key)
    assert path is not None
    sections = build_form(document, target, path)
    form = {**_typed(sections), **changes}
    return (
        path,
        submitted_form(sections, form),
        apply_form(document, path, submitted_form(sections, form)),
    )


def test_every_item_of_the_shipped_kb_round_trips_untouched(shipped_kb: KnowledgeBase) -> None:
    document = to_document(shipped_kb)
    for target, key in _items(shipped_kb):
        _, _, edited = _edit(document, target, key)
        assert edited == document, (target, key)


def test_values_are_read_back_as_the_document_types(shipped_kb: KnowledgeBase) -> None:
    document = to_document(shipped_kb)
    changes = {
        "questions[0].weight": "۲.۵",  # Persian digits are accepted
        "advice.driver.actions[0].refs": "bonson2012،  mergel2013par ,seed",
        "questions[0].help.fa": "",
        "questions[0].help.en": "",
        "title.en": "  Openness\r\n",
    }
    path, _, edited = _edit(document, EditTarget.SUBFACTOR, "transparency", **changes)
    subfactor = edited["factors"][0]["subfactors"][0]
    assert path == "factors[0].subfactors[0]"
    assert subfactor["questions"][0]["weight"] == 2.5
    assert "help" not in subfactor["questions"][0]  # both emptied: no help
    assert subfactor["advice"]["driver"]["actions"][0]["refs"] == [
        "bonson2012",
        "mergel2013par",
        "seed",
    ]
    assert subfactor["title"]["en"] == "Openness"
    assert document["factors"][0]["subfactors"][0]["title"]["en"] == "Transparency"  # a copy


def test_problems_land_beside_the_field_or_section_they_name(shipped_kb: KnowledgeBase) -> None:
    document = to_document(shipped_kb)
    path, sections, edited = _edit(
        document,
        EditTarget.SUBFACTOR,
        "transparency",
        **{
            "advice.obstacle.summary.fa": " ",
            "advice.obstacle.actions[1].refs": "nosuchstudy",
            "questions[0].weight": "heavy",
            "questions[1].help.en": "Only English help.",
        },
    )
    problems = validate_document(edited)
    attached = attach_problems(sections, path, problems, "en")
    shown = {f.name: f.problems for s in attached for f in s.fields}
    assert [p.path.removeprefix(f"{path}.") for p in problems] == [
        "questions[0].weight",
        "questions[1].help.fa",
        "advice.obstacle.summary.fa",
        "advice.obstacle.actions[1].refs[0]",
    ]
    assert shown["advice.obstacle.summary.fa"] == ("must have at least 1 character(s)",)
    assert shown["advice.obstacle.actions[1].refs"] == ("unknown reference key 'nosuchstudy'",)
    assert shown["questions[1].help.fa"] and shown["questions[0].weight"]
    assert sum(bool(p) for p in shown.values()) == 4


def test_unknown_items_have_no_path(shipped_kb: KnowledgeBase) -> None:
    document = to_document(shipped_kb)
    assert item_path(document, EditTarget.SUBFACTOR, "managerial") is None  # a factor's key
    assert item_path(document, EditTarget.REFERENCE, "nosuchstudy") is None
    assert item_path(document, EditTarget.FACTOR, "human") == "factors[2]"


@pytest.mark.parametrize("token", ["changeme", "short-token"])
def test_a_placeholder_or_short_admin_token_is_refused(token: str) -> None:
    with pytest.raises(ValidationError, match="ADMIN_TOKEN"):
        Settings(_env_file=None, admin_token=token)  # type: ignore[call-arg, arg-type]
