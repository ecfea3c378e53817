"""The buttons under results that send documents: the charts and the PDF report."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from handlers.callbacks.codec import ID, Codec

__all__ = ["CODECS", "ShowCharts", "ShowReport"]


@dataclass(frozen=True)
class ShowCharts:
    """Send the charts of a completed assessment (the button under its results)."""

    assessment_id: int


@dataclass(frozen=True)
class ShowReport:
    """Send the PDF report of a completed assessment (the button under its results)."""

    assessment_id: int


CODECS: tuple[Codec[Any], ...] = (
    Codec(
        ShowCharts,
        re.compile(rf"ch:{ID}"),
        lambda c: f"ch:{c.assessment_id}",
        lambda g: ShowCharts(int(g[0])),
    ),
    Codec(
        ShowReport,
        re.compile(rf"rp:{ID}"),
        lambda c: f"rp:{c.assessment_id}",
        lambda g: ShowReport(int(g[0])),
    ),
)
