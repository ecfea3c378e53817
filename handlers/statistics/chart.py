"""The administrators' statistics chart: mean score per factor, as PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from handlers.report.chart_text import display_text, font_families
from knowledge import Locale, to_persian_digits

__all__ = ["render_factor_means"]

_DPI = 120
_BAR = "#1565c0"
_THRESHOLD = "#c62828"


def render_factor_means(
    labels: Sequence[str],
    means: Sequence[float | None],
    *,
    title: str,
    threshold: float,
    locale: Locale,
) -> bytes:
    """Horizontal bars of the factor means (0-100) with the driver threshold marked."""
    font = FontProperties(family=font_families(locale), size=10)
    figure = Figure(figsize=(7, 0.6 * len(labels) + 1.6), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))[::-1]
    values = [mean or 0.0 for mean in means]
    axes.barh(positions, values, color=_BAR, height=0.6)
    axes.axvline(threshold, color=_THRESHOLD, linestyle="--", linewidth=1)
    rtl = locale == "fa"
    # Right to left for Persian: bars grow from the labels on the right towards the left.
    axes.set_xlim(100, 0) if rtl else axes.set_xlim(0, 100)
    axes.set_yticks(positions, [display_text(label) for label in labels], fontproperties=font)
    for position, mean in zip(positions, means, strict=True):
        if mean is not None:
            shown = f"{mean:.0f}"
            text = to_persian_digits(shown) if locale == "fa" else shown
            axes.text(
                mean + 1,
                position,
                text,
                va="center",
                ha="right" if rtl else "left",
                fontproperties=font,
            )
    ticks = [0, 20, 40, 60, 80, 100]
    tick_labels = [to_persian_digits(str(t)) if locale == "fa" else str(t) for t in ticks]
    axes.set_xticks(ticks, tick_labels, fontproperties=font)
    if rtl:
        axes.yaxis.tick_right()
    axes.set_title(display_text(title), fontproperties=font)
    axes.spines[["top", "left" if rtl else "right"]].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()
