"""What statistics report for a group: its key, and its figures unless it is suppressed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = ["GroupStats", "SubFactorFigures"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class SubFactorFigures:
    """A sub-factor in a group: mean score, and the share of assessments where it is a driver.

    Both are over the assessments where the sub-factor was scored ("don't know" to every
    question of it leaves it unscored).
    """

    mean: float | None
    driver_share: float | None


@dataclass(frozen=True, slots=True)
class GroupStats:
    """One group's figures; a suppressed group carries its key and nothing else."""

    key: tuple[str | None, ...]
    suppressed: bool
    n: int | None = None
    readiness: float | None = None
    factors: Mapping[str, float | None] = field(default_factory=lambda: _EMPTY)
    subfactors: Mapping[str, SubFactorFigures] = field(default_factory=lambda: _EMPTY)
