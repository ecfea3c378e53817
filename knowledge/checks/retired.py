"""Checks of question types: retired questions (kept so that stored answers keep their meaning)
and the named answer scales (`scales`, each question's `scale`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from knowledge.problems import Problem, problem

__all__ = ["check_retired", "check_scales", "is_asked"]


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


def check_scales(data: Mapping[str, Any]) -> Iterator[Problem]:
    """Named scales have the main scale's values (scores stay 0 to its top); every question's
    `scale` names one of them."""
    values = _values(data.get("scale"))
    named = data.get("scales")
    named = named if isinstance(named, Mapping) else {}
    for key, scale in named.items():
        if values is not None and _values(scale) not in (None, values):
            yield problem(
                f"scales.{key}.options",
                "scale_values",
                count=len(values),
                low=values[0],
                top=values[-1],
            )
    for f, factor in enumerate(_list(data.get("factors"))):
        for s, sf in enumerate(_list(factor.get("subfactors"))):
            for q, question in enumerate(_list(sf.get("questions"))):
                scale = question.get("scale")
                if isinstance(scale, str) and scale not in named:
                    path = f"factors[{f}].subfactors[{s}].questions[{q}].scale"
                    yield problem(path, "unknown_scale", scale=scale)


def _values(scale: Any) -> tuple[int, ...] | None:
    if not isinstance(scale, Mapping):
        return None
    options = _list(scale.get("options"))
    values = [v for v in (o.get("value") for o in options) if type(v) is int]
    if not values or len(values) != len(options):
        return None
    return tuple(sorted(values))


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
