"""The levels a result is placed on: score bands of a sub-factor and stages of adoption."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Text is only an annotation here
    from knowledge.vocabulary import Text

__all__ = ["Band", "Condition", "Stage", "StageRequirement"]


class Condition(StrEnum):
    """The two kinds of stage condition (Mergel & Bretschneider: formal rules in place)."""

    ANY_AT_LEAST = "any_at_least"  # at least one of the sub-factors reaches a band
    ALL_DRIVERS = "all_drivers"  # every one of the sub-factors is a driver


@dataclass(frozen=True, slots=True)
class StageRequirement:
    """What a stage requires of some sub-factors; `band` is set for `any_at_least`."""

    condition: Condition
    subfactors: tuple[str, ...]
    band: str | None = None


@dataclass(frozen=True, slots=True)
class Stage:
    """A stage of adoption (Mergel & Bretschneider), reached when its `requires` holds.

    `min_score` is kept only for a KB loaded from a version 1 document, so that it exports
    as it was; it never places an agency.
    """

    key: str
    title: Text
    description: Text
    requires: StageRequirement | None = None
    min_score: float | None = None


@dataclass(frozen=True, slots=True)
class Band:
    """A score band of a sub-factor (absent, started...): from `min_score` up to the next band."""

    key: str
    min_score: float
    title: Text
