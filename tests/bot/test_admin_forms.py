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


# A list of keys in the sub-factor's form (a v1 action's references, a v2 band's step ids):
# its field, and where its value lands, by schema version.
KEYS_FIELD: dict[int, tuple[str, tuple[str | int, ...]]] = {
    1: ("advice.driver.actions[0].refs", ("advice", "driver", "actions", 0, "refs")),
    2: ("advice.bands.partly.steps", ("advice", "bands", "partly", "steps")),
}


def _at(node: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


def test_values_are_read_back_as_the_document_types(shipped_kb: KnowledgeBase) -> None:
    document = to_document(shipped_kb)
    keys_name, keys = KEYS_FIELD[shipped_kb.version]
    changes = {
        "questions[0].weight": "۲.۵",  # Persian digits are accepted
        keys_name: "bonson2012،  mergel2013par ,seed",
        "questions[0].help.fa": "",
        "questions[0].help.en": "",
        "title.en": "  Openness\r\n",
    }
    path, _, edited = _edit(document, EditTarget.SUBFACTOR, "transparency", **changes)
    subfactor = edited["factors"][0]["subfactors"][0]
    assert path == "factors[0].subfactors[0]"
    assert subfactor["questions"][0]["weight"] == 2.5
    assert "help" not in subfactor["questions"][0]  # both emptied: no help
    assert _at(subfactor, keys) == [
        "bonson2012",
        "mergel2013par",
        "seed",
    ]
    assert subfactor["title"]["en"] == "Openness"
    assert document["factors"][0]["subfactors"][0]["title"]["en"] == "Transparency"  # a copy


# (summary, a list of keys, its problem's path, the problem) in the form of each version
ADVICE_FIELDS = {
    1: (
        "advice.obstacle.summary",
        "advice.obstacle.actions[1].refs",
        "advice.obstacle.actions[1].refs[0]",
        "unknown reference key 'nosuchstudy'",
    ),
    2: (
        "advice.bands.absent.summary",
        "advice.bands.absent.steps",
        "advice.bands.absent.steps[0]",
        "unknown step id 'nosuchstudy'",
    ),
}


def test_problems_land_beside_the_field_or_section_they_name(shipped_kb: KnowledgeBase) -> None:
    document = to_document(shipped_kb)
    summary, keys, keys_problem, unknown = ADVICE_FIELDS[shipped_kb.version]
    path, sections, edited = _edit(
        document,
        EditTarget.SUBFACTOR,
        "transparency",
        **{
            f"{summary}.fa": " ",
            keys: "nosuchstudy",
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
        f"{summary}.fa",
        keys_problem,
    ]
    assert shown[f"{summary}.fa"] == ("must have at least 1 character(s)",)
    assert shown[keys] == (unknown,)
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
