"""The score bands, and each sub-factor's advice by band (the steps it names)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from knowledge.checks.raw import duplicates, is_number, items, keys, strings
from knowledge.checks.retired import is_asked
from knowledge.problems import Problem, problem

__all__ = ["MAX_BAND_STEPS", "check_band_advice", "check_bands"]


# A band's advice names 1 to 4 steps (the schema refuses none; this refuses more than 4).
MAX_BAND_STEPS = 4


def check_bands(data: Mapping[str, Any]) -> Iterator[Problem]:
    """Unique band and owner keys; band minimums start at 0 and rise."""
    bands = items(data, "bands")
    yield from duplicates(((f"bands[{i}].key", b.get("key")) for i, b in bands), "band key")
    owners = items(data, "owners")
    yield from duplicates(((f"owners[{i}].key", o.get("key")) for i, o in owners), "owner key")
    mins = [(i, b["min"]) for i, b in bands if is_number(b.get("min"))]
    if mins and mins[0][0] == 0 and mins[0][1] != 0:
        yield problem("bands[0].min", "band_zero")
    for (_, previous), (i, current) in itertools.pairwise(mins):
        if current <= previous:
            yield problem(f"bands[{i}].min", "band_order", previous=previous)


def check_band_advice(
    data: Mapping[str, Any], path: str, sf: Mapping[str, Any]
) -> Iterator[Problem]:
    """A sub-factor's advice: one entry per known band, each naming known steps."""
    advice = sf.get("advice")
    given = advice.get("bands") if isinstance(advice, Mapping) else None
    if not isinstance(given, Mapping):
        return
    bands = [b["key"] for _, b in items(data, "bands") if isinstance(b.get("key"), str)]
    steps = keys(items(data, "steps"), "id")
    # The steps a question adds when answered low: a band must not name them (issue 13).
    low_steps = {
        step: str(q.get("id"))
        for _, q in items(sf, "questions")
        if is_asked(q)
        for _, step in strings(q.get("low"), "steps")
    }
    base = f"{path}.advice.bands"
    for band in bands:
        if band not in given:
            yield problem(f"{base}.{band}", "missing")
    for band, band_advice in given.items():
        if band not in bands:
            yield problem(f"{base}.{band}", "unknown_band", band=band)
        chosen = strings(band_advice, "steps")
        if len(chosen) > MAX_BAND_STEPS:
            yield problem(f"{base}.{band}.steps", "too_long", max_length=MAX_BAND_STEPS)
        for s, step in chosen:
            if step not in steps:
                yield problem(f"{base}.{band}.steps[{s}]", "unknown_step", step=step)
            elif step in low_steps:
                yield problem(
                    f"{base}.{band}.steps[{s}]",
                    "band_step_is_low",
                    step=step,
                    question=low_steps[step],
                )
