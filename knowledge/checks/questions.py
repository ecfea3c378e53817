"""Each question's advice when answered low, and its owner when answered 'don't know'."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from knowledge.checks.raw import items, keys, strings
from knowledge.checks.retired import check_retired, is_asked
from knowledge.problems import Problem, problem

__all__ = ["check_questions"]


def check_questions(data: Mapping[str, Any], path: str, sf: Mapping[str, Any]) -> Iterator[Problem]:
    """A sub-factor's questions: low and don't-know advice, known steps and owners."""
    steps = keys(items(data, "steps"), "id")
    owners = keys(items(data, "owners"))
    values = [o.get("value") for _, o in items(data.get("scale"), "options")]
    top = max((v for v in values if isinstance(v, int) and not isinstance(v, bool)), default=None)
    for k, question in items(sf, "questions"):
        qpath = f"{path}.questions[{k}]"
        low, dont_know = question.get("low"), question.get("dont_know")
        yield from check_retired(data, qpath, question)
        if is_asked(question) and question.get("profile") == "core":
            if low is None:
                yield problem(f"{qpath}.low", "low_missing")
            if dont_know is None:
                yield problem(f"{qpath}.dont_know", "dont_know_missing")
        for s, step in strings(low, "steps"):
            if step not in steps:
                yield problem(f"{qpath}.low.steps[{s}]", "unknown_step", step=step)
        at_most = low.get("at_most", 1) if isinstance(low, Mapping) else None
        if isinstance(at_most, int) and top is not None and at_most >= top:
            yield problem(f"{qpath}.low.at_most", "low_at_most", max=top)
        owner = dont_know.get("owner") if isinstance(dont_know, Mapping) else None
        if isinstance(owner, str) and owner not in owners:
            yield problem(f"{qpath}.dont_know.owner", "unknown_owner", owner=owner)
