"""Checks of retired questions: kept in the KB so that stored answers keep their meaning."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from knowledge.problems import Problem, problem

__all__ = ["check_retired", "is_asked"]


def is_asked(question: Mapping[str, Any]) -> bool:
    """Whether new assessments ask this question document (it is not retired)."""
    return question.get("retired") is None


def check_retired(
    data: Mapping[str, Any], qpath: str, question: Mapping[str, Any]
) -> Iterator[Problem]:
    """A retired question's replacements are questions of this KB that are still asked."""
    retired = question.get("retired")
    if not isinstance(retired, Mapping) or not isinstance(retired.get("replaced_by"), list):
        return
    questions = _questions(data)
    for r, replacement in enumerate(retired["replaced_by"]):
        if not isinstance(replacement, str):
            continue  # the schema reports it
        path = f"{qpath}.retired.replaced_by[{r}]"
        if replacement not in questions:
            yield problem(path, "unknown_question", question=replacement)
        elif not is_asked(questions[replacement]):
            yield problem(path, "replaced_by_retired", question=replacement)


def _questions(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for factor in _list(data.get("factors")):
        for sf in _list(factor.get("subfactors")):
            for q in _list(sf.get("questions")):
                if isinstance(q.get("id"), str):
                    found.setdefault(q["id"], q)
    return found


def _list(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []
