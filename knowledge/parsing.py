"""Untrusted YAML and JSON within bounds: no aliases, few enough nodes, shallow, and quick.

A 32 KB YAML file of anchors (a sub-factor aliased 100 times, a factor 100 times) expands to
a document of 10,000 sub-factors; 200,000 nested brackets overflow Python's stack. Both are
refused here, while the text is composed and before any Python object is built: the composer
counts nodes and depth as libyaml's parser hands it events, refuses any alias, and gives up
at a deadline. JSON has no aliases; its nesting and size are checked on the parsed value.
"""

from __future__ import annotations

import json
import time
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import Node
from yaml.resolver import Resolver

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "TIME_LIMIT_SECONDS",
    "DocumentLimitError",
    "load_bounded_json",
    "load_bounded_yaml",
]

#: Nodes (mappings, lists and scalars) in one document: the shipped KB has about 5,000.
MAX_NODES = 50_000
#: Nesting depth: the shipped KB nests 8 deep.
MAX_DEPTH = 32
#: Seconds for parsing one document; the shipped KB takes well under a tenth of that.
TIME_LIMIT_SECONDS = 5.0
# How many nodes pass between two looks at the clock.
_CLOCK_EVERY = 1024

try:  # libyaml's event parser when PyYAML was built with it; composing stays in Python
    from yaml._yaml import CParser as _EventParser
except ImportError:  # pragma: no cover - PyYAML without libyaml parses in Python
    from yaml.loader import BaseLoader as _EventParser  # type: ignore[assignment]


class DocumentLimitError(ValueError):
    """A document beyond a bound: `code` names which ("aliases", "too_many_nodes", ...)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class _BoundedLoader(Composer, _EventParser, SafeConstructor, Resolver):
    """PyYAML's safe loader whose composer counts, measures depth and refuses aliases."""

    def __init__(self, stream: str, *, max_nodes: int, max_depth: int, deadline: float) -> None:
        _EventParser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._max_nodes, self._max_depth, self._deadline = max_nodes, max_depth, deadline
        self._nodes = 0
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(AliasEvent):
            raise DocumentLimitError("aliases")
        self._nodes += 1
        if self._nodes > self._max_nodes:
            raise DocumentLimitError("too_many_nodes", limit=self._max_nodes)
        if self._nodes % _CLOCK_EVERY == 0 and time.monotonic() > self._deadline:
            raise DocumentLimitError("too_slow")
        self._depth += 1
        try:
            if self._depth > self._max_depth:
                raise DocumentLimitError("too_deep", limit=self._max_depth)
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        assert node is not None  # only an alias (refused above) composes to no node
        return node


def load_bounded_yaml(
    text: str,
    *,
    max_nodes: int = MAX_NODES,
    max_depth: int = MAX_DEPTH,
    time_limit: float = TIME_LIMIT_SECONDS,
) -> Any:
    """Parse one YAML document with the safe loader, or raise DocumentLimitError/YAMLError."""
    loader = _BoundedLoader(
        text,
        max_nodes=max_nodes,
        max_depth=max_depth,
        deadline=time.monotonic() + time_limit,
    )
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        # libyaml's scanner reads ahead, and refuses 1,000 nested brackets before we count 32.
        if "maximum nesting depth" in str(exc):
            raise DocumentLimitError("too_deep", limit=max_depth) from None
        raise
    finally:
        loader.dispose()


def load_bounded_json(text: str, *, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON, or raise DocumentLimitError (too deep, too many values) or a ValueError."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise DocumentLimitError("too_deep", limit=max_depth) from None
    nodes = 0
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        nodes += 1
        if nodes > max_nodes:
            raise DocumentLimitError("too_many_nodes", limit=max_nodes)
        if depth > max_depth:
            raise DocumentLimitError("too_deep", limit=max_depth)
        if isinstance(value, dict):
            for key, item in value.items():
                pending += ((key, depth + 1), (item, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
    return data
