"""Reading a raw KB document that may have any shape: what is not the expected type is skipped."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from knowledge.problems import Problem, problem

__all__ = ["duplicates", "is_number", "items", "keys", "strings", "subfactor_nodes", "unknown_refs"]


def items(data: Any, key: str) -> list[tuple[int, Mapping[str, Any]]]:
    """The mappings of the list `data[key]`, with their indexes; none if it is not a list."""
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def strings(data: Any, key: str) -> list[tuple[int, str]]:
    """The strings of the list `data[key]`, with their indexes; none if it is not a list."""
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, str)]


def keys(items: Iterable[tuple[int, Mapping[str, Any]]], field: str = "key") -> set[str]:
    """The string values of `field` among `items`."""
    return {item[field] for _, item in items if isinstance(item.get(field), str)}


def duplicates(pairs: Iterable[tuple[str, Any]], what: str) -> Iterator[Problem]:
    """A problem for each (path, value) whose value came before, naming where it first did."""
    seen: dict[Any, str] = {}
    for path, value in pairs:
        if not isinstance(value, str | int) or isinstance(value, bool):
            continue
        if value in seen:
            yield problem(path, "duplicate", what=what, value=value, first=seen[value])
        else:
            seen[value] = path


def is_number(value: Any) -> bool:
    """Whether `value` is an int or a float (a bool is neither here)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def subfactor_nodes(data: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Every sub-factor mapping of every factor, with its path in the document."""
    return [
        (f"factors[{i}].subfactors[{j}]", sf)
        for i, f in items(data, "factors")
        for j, sf in items(f, "subfactors")
    ]


def unknown_refs(path: str, node: Any, known_refs: set[str]) -> Iterator[Problem]:
    """A problem for each of `node`'s refs that names no known reference."""
    for r, ref in strings(node, "refs"):
        if ref not in known_refs:
            yield problem(f"{path}.refs[{r}]", "unknown_reference", ref=ref)
