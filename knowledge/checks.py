"""Rules that span a KB document (unique keys, known references, steps, stage conditions...).

They run on the raw document beside the schema (knowledge/schema.py), so they must not fail on
any shape: whatever is not the expected type is skipped here and reported by the schema.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from knowledge.platform_checks import check_platforms
from knowledge.problems import Problem, problem

__all__ = ["MAX_BAND_STEPS", "check_v1", "check_v2"]

# A band's advice names 1 to 4 steps (the schema refuses none; this refuses more than 4).
MAX_BAND_STEPS = 4


def _items(data: Any, key: str) -> list[tuple[int, Mapping[str, Any]]]:
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def _strings(data: Any, key: str) -> list[tuple[int, str]]:
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, str)]


def _keys(items: Iterable[tuple[int, Mapping[str, Any]]], field: str = "key") -> set[str]:
    return {item[field] for _, item in items if isinstance(item.get(field), str)}


def _duplicates(pairs: Iterable[tuple[str, Any]], what: str) -> Iterator[Problem]:
    seen: dict[Any, str] = {}
    for path, value in pairs:
        if not isinstance(value, str | int) or isinstance(value, bool):
            continue
        if value in seen:
            yield problem(path, "duplicate", what=what, value=value, first=seen[value])
        else:
            seen[value] = path


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _subfactors(data: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    return [
        (f"factors[{i}].subfactors[{j}]", sf)
        for i, f in _items(data, "factors")
        for j, sf in _items(f, "subfactors")
    ]


def _unknown_refs(path: str, node: Any, known_refs: set[str]) -> Iterator[Problem]:
    for r, ref in _strings(node, "refs"):
        if ref not in known_refs:
            yield problem(f"{path}.refs[{r}]", "unknown_reference", ref=ref)


def _common(data: Mapping[str, Any]) -> Iterator[Problem]:
    """Rules both versions share: unique keys, the scale's 0, core questions, evidence refs."""
    yield from _duplicates(
        ((f"references[{i}].key", r.get("key")) for i, r in _items(data, "references")),
        "reference key",
    )
    yield from _duplicates(
        ((f"stages[{i}].key", s.get("key")) for i, s in _items(data, "stages")), "stage key"
    )
    profile = data.get("profile")
    for name in ("sectors", "regions", "roles"):
        yield from _duplicates(
            ((f"profile.{name}[{i}].key", c.get("key")) for i, c in _items(profile, name)),
            "key",
        )
    scale = data.get("scale")
    yield from _duplicates(
        ((f"scale.options[{i}].value", o.get("value")) for i, o in _items(scale, "options")),
        "scale value",
    )
    if _items(scale, "options") and 0 not in [o.get("value") for _, o in _items(scale, "options")]:
        yield problem("scale.options", "scale_zero")
    factors = _items(data, "factors")
    yield from _duplicates(((f"factors[{i}].key", f.get("key")) for i, f in factors), "factor key")
    subfactors = _subfactors(data)
    yield from _duplicates(((f"{p}.key", sf.get("key")) for p, sf in subfactors), "sub-factor key")
    yield from _duplicates(
        (
            (f"{p}.questions[{k}].id", q.get("id"))
            for p, sf in subfactors
            for k, q in _items(sf, "questions")
        ),
        "question id",
    )
    known_refs = _keys(_items(data, "references"))
    for path, sf in subfactors:
        questions = _items(sf, "questions")
        if questions and not any(q.get("profile") == "core" for _, q in questions):
            yield problem(f"{path}.questions", "core_question")
        for k, ev in _items(sf, "evidence"):
            # A ref that is not a string at all is reported by the schema, not here.
            if isinstance(ev.get("ref"), str) and ev["ref"] not in known_refs:
                yield problem(f"{path}.evidence[{k}].ref", "unknown_reference", ref=ev["ref"])


def check_v1(data: Mapping[str, Any]) -> Iterator[Problem]:
    """Every cross-document problem of a version 1 document."""
    yield from _common(data)
    yield from _duplicates(
        ((f"stages[{i}].min", s.get("min")) for i, s in _items(data, "stages")), "stage minimum"
    )
    stage_mins = [s.get("min") for _, s in _items(data, "stages")]
    if stage_mins and 0 not in stage_mins:
        yield problem("stages", "stage_zero")
    known_refs = _keys(_items(data, "references"))
    for path, sf in _subfactors(data):
        advice = sf.get("advice")
        for case in ("obstacle", "driver"):
            case_doc = advice.get(case) if isinstance(advice, Mapping) else None
            for a, action in _items(case_doc, "actions"):
                yield from _unknown_refs(f"{path}.advice.{case}.actions[{a}]", action, known_refs)


def check_v2(data: Mapping[str, Any]) -> Iterator[Problem]:
    """Every cross-document problem of a version 2 document (the stricter rules included)."""
    yield from _common(data)
    yield from _check_bands(data)
    yield from _check_steps(data)
    yield from check_platforms(data)
    yield from _check_stages(data)
    for path, sf in _subfactors(data):
        yield from _check_questions(data, path, sf)
        yield from _check_band_advice(data, path, sf)


def _check_bands(data: Mapping[str, Any]) -> Iterator[Problem]:
    bands = _items(data, "bands")
    yield from _duplicates(((f"bands[{i}].key", b.get("key")) for i, b in bands), "band key")
    owners = _items(data, "owners")
    yield from _duplicates(((f"owners[{i}].key", o.get("key")) for i, o in owners), "owner key")
    mins = [(i, b["min"]) for i, b in bands if _number(b.get("min"))]
    if mins and mins[0][0] == 0 and mins[0][1] != 0:
        yield problem("bands[0].min", "band_zero")
    for (_, previous), (i, current) in itertools.pairwise(mins):
        if current <= previous:
            yield problem(f"bands[{i}].min", "band_order", previous=previous)


def _check_steps(data: Mapping[str, Any]) -> Iterator[Problem]:
    steps = _items(data, "steps")
    yield from _duplicates(((f"steps[{i}].id", s.get("id")) for i, s in steps), "step id")
    known_refs = _keys(_items(data, "references"))
    owners = _keys(_items(data, "owners"))
    ids = _keys(steps, "id")
    sectors = _keys(_items(data.get("profile"), "sectors"))
    for i, step in steps:
        path = f"steps[{i}]"
        yield from _unknown_refs(path, step, known_refs)
        if isinstance(step.get("owner"), str) and step["owner"] not in owners:
            yield problem(f"{path}.owner", "unknown_owner", owner=step["owner"])
        for r, required in _strings(step, "requires"):
            if required not in ids:
                yield problem(f"{path}.requires[{r}]", "unknown_step", step=required)
        for k, variant in _items(step, "variants"):
            vpath = f"{path}.variants[{k}]"
            yield from _unknown_refs(vpath, variant, known_refs)
            when = variant.get("when")
            if isinstance(when, Mapping) and not when.get("region") and not when.get("sector"):
                yield problem(f"{vpath}.when", "variant_when")
            for s, sector in _strings(when, "sector"):
                if sector not in sectors:
                    yield problem(f"{vpath}.when.sector[{s}]", "unknown_sector", sector=sector)
    yield from _cycles(steps)


def _cycles(steps: list[tuple[int, Mapping[str, Any]]]) -> Iterator[Problem]:
    """One problem per cycle of `requires`, at the requirement that closes it."""
    index = {s["id"]: i for i, s in steps if isinstance(s.get("id"), str)}
    edges = {
        s["id"]: [(r, req) for r, req in _strings(s, "requires") if req in index]
        for _, s in steps
        if isinstance(s.get("id"), str)
    }
    done: set[str] = set()
    for start in edges:
        if start in done:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        on_path = [start]
        while stack:
            node, position = stack[-1]
            if position >= len(edges[node]):
                stack.pop()
                on_path.pop()
                done.add(node)
                continue
            stack[-1] = (node, position + 1)
            r, required = edges[node][position]
            if required in on_path:
                cycle = [*on_path[on_path.index(required) :], required]
                yield problem(
                    f"steps[{index[node]}].requires[{r}]", "step_cycle", cycle=" → ".join(cycle)
                )
            elif required not in done:
                stack.append((required, 0))
                on_path.append(required)


def _check_stages(data: Mapping[str, Any]) -> Iterator[Problem]:
    bands = _keys(_items(data, "bands"))
    subfactors = {sf["key"] for _, sf in _subfactors(data) if isinstance(sf.get("key"), str)}
    for i, stage in _items(data, "stages"):
        requires = stage.get("requires")
        if i == 0:
            if requires is not None:
                yield problem("stages[0].requires", "stage_first_requires")
            continue
        if requires is None:
            yield problem(f"stages[{i}]", "stage_requires")
            continue
        if not isinstance(requires, Mapping):
            continue
        path = f"stages[{i}].requires"
        any_form = requires.get("any_at_least") is not None or requires.get("of") is not None
        all_form = requires.get("all_drivers") is not None
        complete = requires.get("any_at_least") is not None and requires.get("of") is not None
        if any_form == all_form or (any_form and not complete):
            yield problem(path, "requires_form")
        band = requires.get("any_at_least")
        if isinstance(band, str) and band not in bands:
            yield problem(f"{path}.any_at_least", "unknown_band", band=band)
        for name in ("of", "all_drivers"):
            for k, key in _strings(requires, name):
                if key not in subfactors:
                    yield problem(f"{path}.{name}[{k}]", "unknown_subfactor", subfactor=key)


def _check_questions(
    data: Mapping[str, Any], path: str, sf: Mapping[str, Any]
) -> Iterator[Problem]:
    steps = _keys(_items(data, "steps"), "id")
    owners = _keys(_items(data, "owners"))
    values = [o.get("value") for _, o in _items(data.get("scale"), "options")]
    top = max((v for v in values if isinstance(v, int) and not isinstance(v, bool)), default=None)
    for k, question in _items(sf, "questions"):
        qpath = f"{path}.questions[{k}]"
        low, dont_know = question.get("low"), question.get("dont_know")
        if question.get("profile") == "core":
            if low is None:
                yield problem(f"{qpath}.low", "low_missing")
            if dont_know is None:
                yield problem(f"{qpath}.dont_know", "dont_know_missing")
        for s, step in _strings(low, "steps"):
            if step not in steps:
                yield problem(f"{qpath}.low.steps[{s}]", "unknown_step", step=step)
        at_most = low.get("at_most", 1) if isinstance(low, Mapping) else None
        if isinstance(at_most, int) and top is not None and at_most >= top:
            yield problem(f"{qpath}.low.at_most", "low_at_most", max=top)
        owner = dont_know.get("owner") if isinstance(dont_know, Mapping) else None
        if isinstance(owner, str) and owner not in owners:
            yield problem(f"{qpath}.dont_know.owner", "unknown_owner", owner=owner)


def _check_band_advice(
    data: Mapping[str, Any], path: str, sf: Mapping[str, Any]
) -> Iterator[Problem]:
    advice = sf.get("advice")
    given = advice.get("bands") if isinstance(advice, Mapping) else None
    if not isinstance(given, Mapping):
        return
    bands = [b["key"] for _, b in _items(data, "bands") if isinstance(b.get("key"), str)]
    steps = _keys(_items(data, "steps"), "id")
    # The steps a question adds when answered low: a band must not name them (issue 13).
    low_steps = {
        step: str(q.get("id"))
        for _, q in _items(sf, "questions")
        for _, step in _strings(q.get("low"), "steps")
    }
    base = f"{path}.advice.bands"
    for band in bands:
        if band not in given:
            yield problem(f"{base}.{band}", "missing")
    for band, band_advice in given.items():
        if band not in bands:
            yield problem(f"{base}.{band}", "unknown_band", band=band)
        chosen = _strings(band_advice, "steps")
        if len(chosen) > MAX_BAND_STEPS:
            yield problem(f"{base}.{band}.steps", "too_long", max_length=MAX_BAND_STEPS)
        for s, step in chosen:
            if step not in steps:
                yield problem(f"{base}.{band}.steps[{s}]", "unknown_step", step=step)
            elif step in low_steps:
                yield problem(
                    f"{base}.{band}.steps[{s}]",
                    "band_step_is_low",
                    step=step,
                    question=low_steps[step],
                )
