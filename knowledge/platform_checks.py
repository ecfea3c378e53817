"""The rules of the KB's platforms: steps name known, reachable platforms, where their text says.

A step lists its platforms by key and writes `{platforms}` in both languages where the names go;
no step may recommend a platform filtered in Iran (knowledge/platforms.py). Like the other
cross-document rules (knowledge/checks.py), they skip what the schema reports.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from knowledge.platforms import PLACEHOLDERS, Reach
from knowledge.problems import Problem, problem

__all__ = ["check_platforms"]


def _items(data: Any, key: str) -> list[tuple[int, Mapping[str, Any]]]:
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def _texts(text: Any) -> list[str]:
    if not isinstance(text, Mapping):
        return []
    return [value for value in (text.get("fa"), text.get("en")) if isinstance(value, str)]


def check_platforms(data: Mapping[str, Any]) -> Iterator[Problem]:
    """Duplicate platform keys, unknown or filtered platforms, placeholders without platforms."""
    platforms = _items(data, "platforms")
    reach: dict[str, Any] = {}
    for i, platform in platforms:
        key = platform.get("key")
        if not isinstance(key, str):
            continue
        if key in reach:
            yield problem(
                f"platforms[{i}].key",
                "duplicate",
                what="platform key",
                value=key,
                first=f"platforms[{list(reach).index(key)}].key",
            )
        else:
            reach[key] = platform.get("reach")
    has_filtered = Reach.FILTERED.value in reach.values()
    named, filtered = PLACEHOLDERS
    for i, step in _items(data, "steps"):
        path = f"steps[{i}]"
        given = step.get("platforms")
        chosen: list[Any] = given if isinstance(given, list) else []
        for k, key in enumerate(chosen):
            if not isinstance(key, str):
                continue
            if key not in reach:
                yield problem(f"{path}.platforms[{k}]", "unknown_platform", platform=key)
            elif reach[key] == Reach.FILTERED.value:
                yield problem(f"{path}.platforms[{k}]", "filtered_platform", platform=key)
        texts = [(f"{path}.text", step.get("text"))] + [
            (f"{path}.variants[{v}].text", variant.get("text"))
            for v, variant in _items(step, "variants")
        ]
        for where, text in texts:
            both = _texts(text)
            if chosen and (len(both) < 2 or not all(named in t for t in both)):
                yield problem(where, "platforms_unused", placeholder=named)
            if (not chosen and any(named in t for t in both)) or (
                not has_filtered and any(filtered in t for t in both)
            ):
                yield problem(where, "platforms_missing", placeholder=named, filtered=filtered)
