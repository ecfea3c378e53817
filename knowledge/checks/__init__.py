"""Rules that span a KB document (unique keys, known references, steps, stage conditions...).

They run on the raw document beside the schema (knowledge/schema.py), so they must not fail on
any shape: whatever is not the expected type is skipped here and reported by the schema.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from knowledge.checks.bands import MAX_BAND_STEPS, check_band_advice, check_bands
from knowledge.checks.block_reasons import check_block_reasons
from knowledge.checks.both_versions import check_both_versions
from knowledge.checks.questions import check_questions
from knowledge.checks.raw import duplicates, items, keys, subfactor_nodes, unknown_refs
from knowledge.checks.retired import check_scales
from knowledge.checks.stages import check_stages
from knowledge.checks.steps import check_steps
from knowledge.platform_checks import check_platforms
from knowledge.problems import Problem, problem

__all__ = ["MAX_BAND_STEPS", "check_v1", "check_v2"]


def check_v1(data: Mapping[str, Any]) -> Iterator[Problem]:
    """Every cross-document problem of a version 1 document."""
    yield from check_both_versions(data)
    yield from duplicates(
        ((f"stages[{i}].min", s.get("min")) for i, s in items(data, "stages")), "stage minimum"
    )
    stage_mins = [s.get("min") for _, s in items(data, "stages")]
    if stage_mins and 0 not in stage_mins:
        yield problem("stages", "stage_zero")
    known_refs = keys(items(data, "references"))
    for path, sf in subfactor_nodes(data):
        advice = sf.get("advice")
        for case in ("obstacle", "driver"):
            case_doc = advice.get(case) if isinstance(advice, Mapping) else None
            for a, action in items(case_doc, "actions"):
                yield from unknown_refs(f"{path}.advice.{case}.actions[{a}]", action, known_refs)


def check_v2(data: Mapping[str, Any]) -> Iterator[Problem]:
    """Every cross-document problem of a version 2 document (the stricter rules included)."""
    yield from check_both_versions(data)
    yield from check_bands(data)
    yield from check_block_reasons(data)
    yield from check_steps(data)
    yield from check_platforms(data)
    yield from check_stages(data)
    yield from check_scales(data)
    for path, sf in subfactor_nodes(data):
        yield from check_questions(data, path, sf)
        yield from check_band_advice(data, path, sf)
