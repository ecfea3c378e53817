"""The stages after the first: each says which bands of which sub-factors it requires."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from knowledge.checks.raw import items, keys, strings, subfactor_nodes
from knowledge.problems import Problem, problem

__all__ = ["check_stages"]


def check_stages(data: Mapping[str, Any]) -> Iterator[Problem]:
    """The first stage requires nothing; each later one gives one complete condition."""
    bands = keys(items(data, "bands"))
    subfactors = {sf["key"] for _, sf in subfactor_nodes(data) if isinstance(sf.get("key"), str)}
    for i, stage in items(data, "stages"):
        requires = stage.get("requires")
        if i == 0:
            if requires is not None:
                yield problem("stages[0].requires", "stage_first_requires")
            continue
        if requires is None:
            yield problem(f"stages[{i}]", "stage_requires")
            continue
        if not isinstance(requires, Mapping):
            continue
        path = f"stages[{i}].requires"
        any_form = requires.get("any_at_least") is not None or requires.get("of") is not None
        all_form = requires.get("all_drivers") is not None
        complete = requires.get("any_at_least") is not None and requires.get("of") is not None
        if any_form == all_form or (any_form and not complete):
            yield problem(path, "requires_form")
        band = requires.get("any_at_least")
        if isinstance(band, str) and band not in bands:
            yield problem(f"{path}.any_at_least", "unknown_band", band=band)
        for name in ("of", "all_drivers"):
            for k, key in strings(requires, name):
                if key not in subfactors:
                    yield problem(f"{path}.{name}[{k}]", "unknown_subfactor", subfactor=key)
