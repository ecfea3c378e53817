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
    "baseline_score",
]

MAX_SCORE = 100.0


@dataclass(frozen=True, slots=True)
class FactorPoint:
    """One spoke of the radar: a factor's score, the national baseline and the sector mean."""

    label: str
    score: float | None
    baseline: float
    sector_mean: float | None = None


@dataclass(frozen=True, slots=True)
class RadarTexts:
    """The radar's texts, in the user's locale."""

    title: str
    agency: str
    baseline: str
    sector: str
    threshold: str
    caption: str


@dataclass(frozen=True, slots=True)
class SubFactorBar:
    """One bar: a sub-factor's score and call in the agency, and its national baseline."""

    label: str
    group: str
    score: float | None
    effect: Effect | None
    baseline: Effect


@dataclass(frozen=True, slots=True)
class BarTexts:
    """The bar chart's texts, in the user's locale."""

    title: str
    driver: str
    obstacle: str
    unanswered: str
    baseline: str
    threshold: str
    caption: str


def baseline_score(effect: Effect, threshold: float) -> float:
    """Where the paper's driver/obstacle call is drawn: the middle of that band of scores."""
    return (threshold + MAX_SCORE) / 2 if effect is Effect.DRIVER else threshold / 2


@dataclass(frozen=True, slots=True)
class ChartImage:
    """A rendered chart: its key (radar, bars) and PNG bytes."""

    key: str
    png: bytes

    @property
    def data_uri(self) -> str:
        """The PNG as a data URI, so the document needs no other file."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")
