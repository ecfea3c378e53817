"""The evidence browser's buttons: factors, sub-factors, and pages of cards."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from handlers.callbacks.codec import KEY, Codec

__all__ = ["CODECS", "EvidenceCards", "EvidenceFactors", "EvidenceOrigin", "EvidenceSubFactors"]


class EvidenceOrigin(StrEnum):
    """Where evidence cards were opened: it decides the KB revision and the back button."""

    BROWSE = "s"  # /evidence: the active revision, back to the factor's sub-factors
    RESULTS = "r"  # under the results: their revision, back to all sixteen sub-factors
    ASK = "q"  # an /ask answer: opens the cards in a new message, then browses


@dataclass(frozen=True)
class EvidenceFactors:
    """Show the evidence browser's list of factors."""


@dataclass(frozen=True)
class EvidenceSubFactors:
    """List one factor's sub-factors, or (None) all sixteen under the results."""

    factor_key: str | None


@dataclass(frozen=True)
class EvidenceCards:
    """Show evidence card `page` (from 0) of a sub-factor."""

    subfactor_key: str
    page: int
    origin: EvidenceOrigin


CODECS: tuple[Codec[Any], ...] = (
    Codec(EvidenceFactors, re.compile(r"ev:h"), lambda c: "ev:h", lambda g: EvidenceFactors()),
    Codec(
        EvidenceSubFactors,
        re.compile(rf"ev:(?:a|f:{KEY})"),
        lambda c: "ev:a" if c.factor_key is None else f"ev:f:{c.factor_key}",
        lambda g: EvidenceSubFactors(g[0]),
    ),
    Codec(
        EvidenceCards,
        re.compile(rf"ev:([srq]):{KEY}:(0|[1-9][0-9]{{0,2}})"),
        lambda c: f"ev:{c.origin.value}:{c.subfactor_key}:{c.page}",
        lambda g: EvidenceCards(g[1], int(g[2]), EvidenceOrigin(g[0])),
    ),
)
