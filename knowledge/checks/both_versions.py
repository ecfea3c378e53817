"""Rules both document versions share: unique keys, the scale's 0, core questions, evidence refs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from knowledge.checks.raw import duplicates, items, keys, subfactor_nodes
from knowledge.checks.retired import is_asked
from knowledge.problems import Problem, problem

__all__ = ["check_both_versions"]


def check_both_versions(data: Mapping[str, Any]) -> Iterator[Problem]:
    """Rules both versions share: unique keys, the scale's 0, core questions, evidence refs."""
    yield from duplicates(
        ((f"references[{i}].key", r.get("key")) for i, r in items(data, "references")),
        "reference key",
    )
    yield from duplicates(
        ((f"stages[{i}].key", s.get("key")) for i, s in items(data, "stages")), "stage key"
    )
    profile = data.get("profile")
    for name in ("sectors", "regions", "roles"):
        yield from duplicates(
            ((f"profile.{name}[{i}].key", c.get("key")) for i, c in items(profile, name)),
            "key",
        )
    scale = data.get("scale")
    yield from duplicates(
        ((f"scale.options[{i}].value", o.get("value")) for i, o in items(scale, "options")),
        "scale value",
    )
    if items(scale, "options") and 0 not in [o.get("value") for _, o in items(scale, "options")]:
        yield problem("scale.options", "scale_zero")
    factors = items(data, "factors")
    yield from duplicates(((f"factors[{i}].key", f.get("key")) for i, f in factors), "factor key")
    subfactors = subfactor_nodes(data)
    yield from duplicates(((f"{p}.key", sf.get("key")) for p, sf in subfactors), "sub-factor key")
    yield from duplicates(
        (
            (f"{p}.questions[{k}].id", q.get("id"))
            for p, sf in subfactors
            for k, q in items(sf, "questions")
        ),
        "question id",
    )
    known_refs = keys(items(data, "references"))
    for path, sf in subfactors:
        questions = items(sf, "questions")
        if questions and not any(is_asked(q) and q.get("profile") == "core" for _, q in questions):
            yield problem(f"{path}.questions", "core_question")
        for k, ev in items(sf, "evidence"):
            # A ref that is not a string at all is reported by the schema, not here.
            if isinstance(ev.get("ref"), str) and ev["ref"] not in known_refs:
                yield problem(f"{path}.evidence[{k}].ref", "unknown_reference", ref=ev["ref"])
