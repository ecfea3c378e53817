"""The blocking reasons a KB lists (knowledge/block_reasons.py): unique keys, `other` present."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from knowledge.block_reasons import OTHER
from knowledge.checks.raw import duplicates, items, keys
from knowledge.problems import Problem, problem

__all__ = ["check_block_reasons"]


def check_block_reasons(data: Mapping[str, Any]) -> Iterator[Problem]:
    """Unique reason keys, and `other` among them when the KB lists reasons."""
    reasons = items(data, "block_reasons")
    pairs = ((f"block_reasons[{i}].key", r.get("key")) for i, r in reasons)
    yield from duplicates(pairs, "block reason key")
    if reasons and OTHER not in keys(reasons):
        yield problem("block_reasons", "block_reason_other", key=OTHER)
