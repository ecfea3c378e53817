"""The catalogue of action steps: who owns a step, when it is due, and variants by profile."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # Text is only an annotation here
    from knowledge.vocabulary import Text

__all__ = [
    "HORIZONS",
    "NATIONAL_REGION",
    "Horizon",
    "Owner",
    "RegionKind",
    "Step",
    "StepVariant",
    "VariantCondition",
    "region_kind",
]

RegionKind = Literal["national", "province"]
# The profile's region key of a national headquarters; every other region is a province.
NATIONAL_REGION = "national"


class Horizon(StrEnum):
    """When a step is due: the first 30 days, the next 90 days, or later."""

    D30 = "d30"
    D90 = "d90"
    LATER = "later"

    @property
    def order(self) -> int:
        """0 for the first 30 days, 1 for the next 90, 2 for later."""
        return HORIZONS.index(self)


HORIZONS: tuple[Horizon, ...] = (Horizon.D30, Horizon.D90, Horizon.LATER)


def region_kind(region: str | None) -> RegionKind | None:
    """`national` for a headquarters, `province` for any other region, None when not given."""
    if not region:
        return None
    return "national" if region == NATIONAL_REGION else "province"


@dataclass(frozen=True, slots=True)
class Owner:
    """A role in the agency that owns steps or would know an answer (head of agency, IT...)."""

    key: str
    title: Text


@dataclass(frozen=True, slots=True)
class VariantCondition:
    """When a variant applies: a region kind, a list of sectors, or both (all must hold)."""

    region: RegionKind | None = None
    sectors: tuple[str, ...] = ()

    def matches(self, profile: Mapping[str, str]) -> bool:
        """Whether the respondent's profile (sector, region...) meets every stated condition."""
        if self.region is not None and region_kind(profile.get("region")) != self.region:
            return False
        return not self.sectors or profile.get("sector") in self.sectors


@dataclass(frozen=True, slots=True)
class StepVariant:
    """An alternative wording of a step for some profiles, with its own references."""

    when: VariantCondition
    text: Text
    refs: tuple[str, ...]
    template: Text | None = None  # the text as written, when it names platforms by placeholder


@dataclass(frozen=True, slots=True)
class Step:
    """One concrete action step of the catalogue; advice and the plan refer to it by id."""

    id: str
    text: Text
    refs: tuple[str, ...]
    owner: str
    horizon: Horizon
    requires: tuple[str, ...] = ()
    variants: tuple[StepVariant, ...] = ()
    # The KB platforms the step recommends; `text` shows their names where `template` has
    # the placeholder `{platforms}` (knowledge/platforms.py), None when it has none.
    platforms: tuple[str, ...] = ()
    template: Text | None = None

    def for_profile(self, profile: Mapping[str, str]) -> tuple[Text, tuple[str, ...]]:
        """The text and references for this profile: the first matching variant, else the step's."""
        for variant in self.variants:
            if variant.when.matches(profile):
                return variant.text, variant.refs
        return self.text, self.refs
