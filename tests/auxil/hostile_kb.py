"""Knowledge base files built to hurt: the review's alias bomb, deep nesting, too many values."""

from __future__ import annotations

import json
from typing import Any

from knowledge import KnowledgeBase, to_document

__all__ = ["alias_bomb", "deep_json", "deep_yaml", "many_values"]


def _flow(value: Any) -> str:
    """A value as YAML flow text (JSON is YAML)."""
    return json.dumps(value, ensure_ascii=False)


def alias_bomb(kb: KnowledgeBase, copies: int = 100) -> bytes:
    """The security review's file: one sub-factor aliased `copies` times in a factor, and that
    factor aliased `copies` times: a few dozen KB that expands to copies² sub-factors."""
    document = to_document(kb)
    factor = dict(document["factors"][0])
    subfactor = factor.pop("subfactors")[0]
    factor_fields = ", ".join(f"{_flow(k)}: {_flow(v)}" for k, v in factor.items())
    subfactors = ", ".join([f"&sf {_flow(subfactor)}", *["*sf"] * (copies - 1)])
    lines = [f"{key}: {_flow(value)}" for key, value in document.items() if key != "factors"]
    lines.append("factors:")
    lines.append(f'- &f {{{factor_fields}, "subfactors": [{subfactors}]}}')
    lines.extend(["- *f"] * (copies - 1))
    return ("\n".join(lines) + "\n").encode()


def deep_yaml(depth: int = 200_000) -> bytes:
    """Lists nested `depth` deep, in YAML flow style."""
    return b"factors: " + b"[" * depth + b"]" * depth + b"\n"


def deep_json(depth: int = 200_000) -> bytes:
    """Lists nested `depth` deep, as JSON."""
    return b'{"factors": ' + b"[" * depth + b"]" * depth + b"}"


def many_values(count: int = 60_000) -> bytes:
    """A flat list of `count` numbers: small, valid YAML, and far more values than any KB."""
    return ("references: [" + ", ".join(["1"] * count) + "]\n").encode()
