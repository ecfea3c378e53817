"""Upgrade a version 1 KB document (an old stored revision) to version 2, in memory.

Each v1 action becomes a catalogue step (id `<sub-factor>_<case><n>`, owner head of agency,
due in the next 90 days); the bands absent and started take the obstacle summary and actions,
partly and established the driver's; the stages get the conditions of Mergel & Bretschneider
(the first none, the middle ones "any formal rule at least started", the last "all formal rules
drivers"); questions get no `low` or `dont_know`. The input must be a valid v1 document.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = [
    "DEFAULT_BANDS",
    "DEFAULT_OWNERS",
    "FORMAL_RULES",
    "V1_OWNER",
    "upgrade_v1",
    "v1_step_id",
]

DEFAULT_BANDS: tuple[dict[str, Any], ...] = (
    {"key": "absent", "min": 0, "title": {"fa": "وجود ندارد", "en": "Absent"}},
    {"key": "started", "min": 25, "title": {"fa": "آغازشده", "en": "Started"}},
    {"key": "partly", "min": 50, "title": {"fa": "تا حدودی برقرار", "en": "Partly in place"}},
    {"key": "established", "min": 75, "title": {"fa": "جاافتاده", "en": "Established"}},
)
DEFAULT_OWNERS: tuple[dict[str, Any], ...] = (
    {"key": "head_of_agency", "title": {"fa": "رئیس سازمان", "en": "Head of agency"}},
    {"key": "it", "title": {"fa": "فناوری اطلاعات", "en": "IT"}},
    {"key": "public_relations", "title": {"fa": "روابط عمومی", "en": "Public relations"}},
    {"key": "legal", "title": {"fa": "امور حقوقی", "en": "Legal"}},
    {"key": "hr", "title": {"fa": "منابع انسانی", "en": "Human resources"}},
    {"key": "finance", "title": {"fa": "امور مالی و بودجه", "en": "Finance and budget"}},
)
# The sub-factors whose formal rules define the stages (issue 13, Mergel & Bretschneider 2013).
FORMAL_RULES = ("organizational_policies", "executive_enforcement", "organizational_processes")
V1_OWNER = "head_of_agency"
V1_HORIZON = "d90"
# Which v1 case each band's advice comes from.
_CASE_OF_BAND = {"absent": "obstacle", "started": "obstacle", "partly": "driver"}


def v1_step_id(subfactor_key: str, case: str, number: int) -> str:
    """The id of the step made from a v1 action (`number` counts from 1)."""
    return f"{subfactor_key}_{case}{number}"


def _subfactors(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [sf for f in doc["factors"] for sf in f["subfactors"]]


def _stages(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    keys = [sf["key"] for sf in _subfactors(doc)]
    formal = [key for key in FORMAL_RULES if key in keys] or keys
    started = DEFAULT_BANDS[1]["key"]
    ordered = sorted(doc["stages"], key=lambda s: s["min"])
    stages = []
    for i, stage in enumerate(ordered):
        upgraded = {k: v for k, v in stage.items() if k != "min"}
        if i == len(ordered) - 1 and i > 0:
            upgraded["requires"] = {"all_drivers": list(formal)}
        elif i > 0:
            upgraded["requires"] = {"any_at_least": started, "of": list(formal)}
        stages.append(upgraded)
    return stages


def upgrade_v1(document: Mapping[str, Any]) -> dict[str, Any]:
    """The version 2 document equivalent to a valid version 1 document (a new, deep copy)."""
    doc = copy.deepcopy(dict(document))
    steps: list[dict[str, Any]] = []
    for sf in _subfactors(doc):
        advice = sf.pop("advice")
        ids: dict[str, list[str]] = {}
        for case in ("obstacle", "driver"):
            ids[case] = []
            for n, action in enumerate(advice[case]["actions"], start=1):
                step_id = v1_step_id(sf["key"], case, n)
                ids[case].append(step_id)
                steps.append(
                    {
                        "id": step_id,
                        "text": action["text"],
                        "refs": action["refs"],
                        "owner": V1_OWNER,
                        "horizon": V1_HORIZON,
                    }
                )
        bands = {}
        for band in DEFAULT_BANDS:
            case = _CASE_OF_BAND.get(band["key"], "driver")
            bands[band["key"]] = {"summary": advice[case]["summary"], "steps": list(ids[case])}
        sf["advice"] = {"bands": bands}
    return {
        "version": 2,
        "index": {"method": "weighted_mean"},
        "scale": doc["scale"],
        "thresholds": doc["thresholds"],
        "bands": copy.deepcopy(list(DEFAULT_BANDS)),
        "owners": copy.deepcopy(list(DEFAULT_OWNERS)),
        "steps": steps,
        "stages": _stages(doc),
        "profile": doc["profile"],
        "factors": doc["factors"],
        "references": doc["references"],
    }
