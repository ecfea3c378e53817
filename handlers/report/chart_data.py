"""The charts' inputs as plain values: picklable, and importable without matplotlib.

The bot builds these in its own process and hands them to a worker process that draws
(`handlers.report.chart_drawer`); `handlers.report.charts` draws them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from knowledge import Effect

__all__ = [
    "MAX_SCORE",
    "BarTexts",
    "ChartImage",
    "FactorPoint",
    "RadarTexts",
    "SubFactorBar",
]

MAX_SCORE = 100.0


@dataclass(frozen=True, slots=True)
class FactorPoint:
    """One spoke of the radar: a factor's score and, when the sector has enough assessments,
    the sector's mean (the national review gives no scores, so it is never drawn)."""

    label: str
    score: float | None
    sector_mean: float | None = None


@dataclass(frozen=True, slots=True)
class RadarTexts:
    """The radar's texts, in the user's locale."""

    title: str
    agency: str
    sector: str
    threshold: str
    caption: str


@dataclass(frozen=True, slots=True)
class SubFactorBar:
    """One bar: a sub-factor's score and call (driver or obstacle) in the agency."""

    label: str
    group: str
    score: float | None
    effect: Effect | None


@dataclass(frozen=True, slots=True)
class BarTexts:
    """The bar chart's texts, in the user's locale."""

    title: str
    driver: str
    obstacle: str
    unanswered: str
    threshold: str
    caption: str


@dataclass(frozen=True, slots=True)
class ChartImage:
    """A rendered chart: its key (radar, bars) and PNG bytes."""

    key: str
    png: bytes

    @property
    def data_uri(self) -> str:
        """The PNG as a data URI, so the document needs no other file."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")
