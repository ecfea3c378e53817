"""Edit forms over one item of a KB document: fields named by their path, values back in place.

A form never validates: the edited document goes to KnowledgeAdmin.activate, whose
KBValidationError names each problem's path, and `attach_problems` puts them beside the field.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from bot.admin.document_paths import EditTarget, item_path, set_value_at, value_at
from knowledge import Effect, EvidenceEffect, Locale, Problem, QuestionSet, normalise_digits

__all__ = [
    "EditTarget",
    "FormField",
    "FormSection",
    "Widget",
    "apply_form",
    "attach_problems",
    "build_form",
    "item_path",
    "submitted_form",
]


class Widget(StrEnum):
    """How a field is typed in and read back."""

    LINE = "line"
    AREA = "area"
    CHOICE = "choice"
    NUMBER = "number"
    INTEGER = "integer"
    KEYS = "keys"
    LINES = "lines"


@dataclass(frozen=True)
class FormField:
    """One input: `name` is its path inside the item, `label` a member of the `field` labels."""

    name: str
    label: str
    widget: Widget
    value: str
    lang: str | None = None
    code: bool = False
    choices: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormSection:
    """A group of fields: `kind` names it (`section` labels); `number` counts repeated ones."""

    kind: str
    fields: tuple[FormField, ...]
    number: int | None = None
    case: str | None = None
    ident: str | None = None
    path: str = ""
    problems: tuple[str, ...] = ()


_KEY_SEPARATORS = re.compile(r"[\s,،;]+")


def _shown(value: Any, widget: Widget) -> str:
    if value is None:
        return ""
    if widget is Widget.KEYS:
        return ", ".join(str(v) for v in value)
    if widget is Widget.LINES:
        return "\n".join(str(v) for v in value)
    return str(value)


def _bilingual(item: Mapping[str, Any], name: str, label: str, widget: Widget) -> list[FormField]:
    paths = ((f"{name}.{lang}", lang) for lang in ("fa", "en"))
    return [
        FormField(p, label, widget, _shown(value_at(item, p), widget), lang) for p, lang in paths
    ]


def _one(item: Mapping[str, Any], name: str, widget: Widget, **more: Any) -> FormField:
    label = name.rsplit(".", 1)[-1]
    return FormField(name, label, widget, _shown(value_at(item, name), widget), **more)


def _subfactor_sections(sf: Mapping[str, Any]) -> Iterator[FormSection]:
    yield FormSection(
        "subfactor",
        (
            *_bilingual(sf, "title", "title", Widget.LINE),
            *_bilingual(sf, "description", "description", Widget.AREA),
            _one(sf, "baseline", Widget.CHOICE, choices=tuple(e.value for e in Effect)),
            _one(sf, "weight", Widget.NUMBER, code=True),
        ),
    )
    sets = tuple(q.value for q in QuestionSet)
    for k, question in enumerate(sf.get("questions", [])):
        p = f"questions[{k}]"
        yield FormSection(
            "question",
            (
                *_bilingual(sf, f"{p}.text", "text", Widget.AREA),
                *_bilingual(sf, f"{p}.help", "help", Widget.AREA),
                _one(sf, f"{p}.profile", Widget.CHOICE, choices=sets),
                _one(sf, f"{p}.weight", Widget.NUMBER, code=True),
            ),
            number=k + 1,
            ident=str(question.get("id", "")),
            path=p,
        )
    for k, evidence in enumerate(sf.get("evidence", [])):
        p = f"evidence[{k}]"
        effects = tuple(e.value for e in EvidenceEffect)
        yield FormSection(
            "evidence",
            (
                _one(sf, f"{p}.ref", Widget.LINE, code=True),
                _one(sf, f"{p}.effect", Widget.CHOICE, choices=effects),
                *_bilingual(sf, f"{p}.finding", "finding", Widget.AREA),
            ),
            number=k + 1,
            ident=str(evidence.get("ref", "")),
            path=p,
        )
    bands = value_at(sf, "advice.bands")
    if isinstance(bands, Mapping):  # schema version 2: advice by score band, steps by id
        for band in bands:
            p = f"advice.bands.{band}"
            fields = (
                *_bilingual(sf, f"{p}.summary", "summary", Widget.AREA),
                _one(sf, f"{p}.steps", Widget.KEYS, code=True),
            )
            yield FormSection("advice", fields, ident=str(band), path=p)
        return
    for case in ("obstacle", "driver"):
        p = f"advice.{case}"
        summary = tuple(_bilingual(sf, f"{p}.summary", "summary", Widget.AREA))
        yield FormSection("advice", summary, case=case, path=p)
        for a, _ in enumerate(value_at(sf, f"{p}.actions") or []):
            q = f"{p}.actions[{a}]"
            fields = (
                *_bilingual(sf, f"{q}.text", "text", Widget.AREA),
                _one(sf, f"{q}.refs", Widget.KEYS, code=True),
            )
            yield FormSection("action", fields, number=a + 1, case=case, path=q)


def _reference_sections(ref: Mapping[str, Any]) -> Iterator[FormSection]:
    yield FormSection(
        "reference",
        (
            _one(ref, "authors", Widget.LINES),
            _one(ref, "year", Widget.INTEGER, code=True),
            _one(ref, "title", Widget.AREA),
            _one(ref, "venue", Widget.LINE),
            _one(ref, "volume", Widget.LINE, code=True),
            _one(ref, "issue", Widget.LINE, code=True),
            _one(ref, "pages", Widget.LINE, code=True),
            _one(ref, "doi", Widget.LINE, code=True),
            _one(ref, "url", Widget.LINE, code=True),
        ),
    )


def build_form(document: Mapping[str, Any], target: EditTarget, path: str) -> list[FormSection]:
    """The sections and fields that edit the item at `path`, filled with its values."""
    item = value_at(document, path)
    if target is EditTarget.SUBFACTOR:
        return list(_subfactor_sections(item))
    if target is EditTarget.REFERENCE:
        return list(_reference_sections(item))
    fields = (
        *_bilingual(item, "title", "title", Widget.LINE),
        *_bilingual(item, "description", "description", Widget.AREA),
    )
    return [FormSection("factor", fields)]


def _fields(sections: Sequence[FormSection]) -> Iterator[FormField]:
    for section in sections:
        yield from section.fields


def submitted_form(sections: Sequence[FormSection], form: Mapping[str, Any]) -> list[FormSection]:
    """The same sections showing what was typed (a missing field counts as emptied)."""
    return [
        replace(s, fields=tuple(replace(f, value=str(form.get(f.name, ""))) for f in s.fields))
        for s in sections
    ]


def _number(raw: str, integer: bool) -> Any:
    raw = normalise_digits(raw.strip())
    if not raw:
        return None
    try:
        return int(raw) if integer else float(raw)
    except ValueError:
        return raw  # left for validation to name, with the field's path


def _value(form_field: FormField) -> Any:
    raw = form_field.value.replace("\r\n", "\n").replace("\r", "\n")
    widget = form_field.widget
    if widget in (Widget.NUMBER, Widget.INTEGER):
        return _number(raw, widget is Widget.INTEGER)
    if widget is Widget.KEYS:
        return [key for key in _KEY_SEPARATORS.split(raw) if key]
    if widget is Widget.LINES:
        return [line.strip() for line in raw.split("\n") if line.strip()]
    return raw.strip()


def apply_form(
    document: Mapping[str, Any], path: str, sections: Sequence[FormSection]
) -> dict[str, Any]:
    """A copy of `document` with the item at `path` holding the sections' values."""
    edited = copy.deepcopy(dict(document))
    item = value_at(edited, path)
    for form_field in _fields(sections):
        set_value_at(item, form_field.name, _value(form_field))
    for question in item.get("questions", []) if isinstance(item, dict) else []:
        if question.get("help") == {"fa": "", "en": ""}:
            del question["help"]  # both help texts emptied: the question has no help
    return edited


def _within(inner: str, path: str) -> bool:
    return inner == path or inner.startswith((f"{path}.", f"{path}["))


def attach_problems(
    sections: Sequence[FormSection], path: str, problems: Sequence[Problem], locale: Locale
) -> list[FormSection]:
    """Put each problem, told in `locale`, under the field or else the section it names."""
    by_field: dict[str, list[str]] = {}
    by_section: dict[str, list[str]] = {}
    names = [f.name for f in _fields(sections)]
    section_paths = [s.path for s in sections if s.path]
    for problem in problems:
        if not problem.path.startswith(f"{path}."):
            continue  # outside the item: the list above the form shows it
        inner = problem.path[len(path) + 1 :]
        owner = next((n for n in names if _within(inner, n)), None)
        if owner is not None:
            by_field.setdefault(owner, []).append(problem.describe(locale))
            continue
        sections_around = [p for p in section_paths if _within(inner, p)]
        if sections_around:
            section = max(sections_around, key=len)
            by_section.setdefault(section, []).append(f"{inner}: {problem.describe(locale)}")
    return [
        replace(
            s,
            problems=tuple(by_section.get(s.path, ())) if s.path else (),
            fields=tuple(replace(f, problems=tuple(by_field.get(f.name, ()))) for f in s.fields),
        )
        for s in sections
    ]
