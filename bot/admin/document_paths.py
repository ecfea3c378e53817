"""Items of a KB document addressed by path: `factors[0].subfactors[2]`, `advice.bands.low`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

__all__ = ["EditTarget", "item_path", "set_value_at", "value_at"]

_TOKEN = re.compile(r"[^.\[\]]+|\[\d+\]")


class EditTarget(StrEnum):
    """What an edit form changes; the value is the URL segment."""

    FACTOR = "factors"
    SUBFACTOR = "subfactors"
    REFERENCE = "references"


def _path_tokens(path: str) -> list[str | int]:
    return [int(t[1:-1]) if t.startswith("[") else t for t in _TOKEN.findall(path)]


def value_at(node: Any, path: str) -> Any:
    """The value at `path` (`a.b[2].c`) inside `node`; None where the path leads nowhere."""
    for token in _path_tokens(path):
        if isinstance(token, int):
            node = node[token] if isinstance(node, list) and token < len(node) else None
        else:
            node = node.get(token) if isinstance(node, Mapping) else None
    return node


def set_value_at(node: Any, path: str, value: Any) -> None:
    """Put `value` at `path` inside `node`, making the mappings on the way that are missing."""
    tokens = _path_tokens(path)
    for token in tokens[:-1]:
        if isinstance(token, str) and token not in node:
            node[token] = {}
        node = node[token]
    node[tokens[-1]] = value


def item_path(document: Mapping[str, Any], target: EditTarget, key: str) -> str | None:
    """The path of the factor, sub-factor or reference `key` (`factors[0].subfactors[2]`)."""
    if target is EditTarget.REFERENCE:
        for i, reference in enumerate(document.get("references", [])):
            if reference.get("key") == key:
                return f"references[{i}]"
        return None
    for i, factor in enumerate(document.get("factors", [])):
        if target is EditTarget.FACTOR and factor.get("key") == key:
            return f"factors[{i}]"
        for j, sf in enumerate(factor.get("subfactors", [])):
            if target is EditTarget.SUBFACTOR and sf.get("key") == key:
                return f"factors[{i}].subfactors[{j}]"
    return None
