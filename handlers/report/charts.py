"""Result charts as PNG bytes: a radar of the factor scores and a bar chart of the sub-factors.

Pure rendering: the functions take plain values (scores, effects, texts already in the user's
locale) and return PNG bytes. Each chart is drawn on its own `Figure` with the Agg canvas, so
no pyplot state is shared between renders and threads.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.projections.polar import PolarAxes

from handlers.report.chart_data import (
    MAX_SCORE,
    BarTexts,
    FactorPoint,
    RadarTexts,
    SubFactorBar,
)
from handlers.report.chart_text import display_text, font_families, has_bold
from knowledge import Locale, to_persian_digits

__all__ = [
    "BarTexts",
    "FactorPoint",
    "RadarTexts",
    "SubFactorBar",
    "render_radar",
    "render_subfactor_bars",
]


_DPI = 150
_SCORE_COLUMN = 9.0  # room after 100 where each sub-factor's score is written
_COLOURS = {
    "driver": "#2e7d32",
    "obstacle": "#c62828",
    "unanswered": "#9e9e9e",
    "agency": "#1565c0",
    "sector": "#ef6c00",
    "threshold": "#424242",
    "band": "#eceff1",
    "heading": "#263238",
}


def _digits(locale: Locale, text: str) -> str:
    return to_persian_digits(text) if locale == "fa" else text


def _number(locale: Locale, value: float) -> str:
    return _digits(locale, str(round(value)))


def _wrap(text: str, width: int) -> str:
    return display_text(textwrap.fill(text, width=width))


def _figure(width: float, height: float) -> Figure:
    layout = ConstrainedLayoutEngine(w_pad=0.12, h_pad=0.08)
    figure = Figure(figsize=(width, height), dpi=_DPI, layout=layout)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, facecolor="white")
    return buffer.getvalue()


def _font(locale: Locale, size: float, *, bold: bool = False) -> FontProperties:
    families = font_families(locale)
    weight = "bold" if bold and has_bold(families[0]) else "normal"
    return FontProperties(family=families, size=size, weight=weight)


def render_radar(
    points: Sequence[FactorPoint], texts: RadarTexts, *, threshold: float, locale: Locale
) -> bytes:
    """A radar of the factor scores, against the sector's mean when given."""
    figure = _figure(7.5, 8.2)
    axes = figure.add_subplot(projection="polar")
    assert isinstance(axes, PolarAxes)
    axes.set_theta_offset(math.pi / 2)
    # Clockwise for left-to-right readers; counter-clockwise (mirrored) for Persian.
    axes.set_theta_direction(1 if locale == "fa" else -1)
    angles = [2 * math.pi * i / len(points) for i in range(len(points))]
    closed = [*angles, angles[0]]

    def shape(values: Sequence[float | None], colour: str, label: str, *, fill: bool) -> None:
        # A missing value leaves a gap in the outline rather than a misleading zero.
        ring = [math.nan if v is None else v for v in [*values, values[0]]]
        style = "-" if fill else "--"
        axes.plot(closed, ring, style, color=colour, linewidth=2, label=display_text(label))
        known = [(a, v) for a, v in zip(angles, values, strict=True) if v is not None]
        axes.scatter([a for a, _ in known], [v for _, v in known], color=colour, s=24, zorder=3)
        if fill and len(known) >= 3:
            axes.fill([a for a, _ in known], [v for _, v in known], color=colour, alpha=0.2)

    if any(p.sector_mean is not None for p in points):
        shape([p.sector_mean for p in points], _COLOURS["sector"], texts.sector, fill=False)
    shape([p.score for p in points], _COLOURS["agency"], texts.agency, fill=True)
    circle = [2 * math.pi * i / 120 for i in range(121)]
    axes.plot(
        circle,
        [threshold] * len(circle),
        ":",
        color=_COLOURS["threshold"],
        linewidth=1.2,
        label=display_text(texts.threshold),
    )
    axes.set_ylim(0, MAX_SCORE)
    ticks = [20, 40, 60, 80, 100]
    axes.set_yticks(ticks, [_number(locale, t) for t in ticks], fontproperties=_font(locale, 8))
    axes.set_rlabel_position(180 / len(points))
    labels = [
        f"{textwrap.fill(p.label, 16)}\n{'—' if p.score is None else _number(locale, p.score)}"
        for p in points
    ]
    axes.set_xticks(
        angles, [display_text(label) for label in labels], fontproperties=_font(locale, 12)
    )
    axes.tick_params(axis="x", pad=14)
    figure.suptitle(display_text(texts.title), fontproperties=_font(locale, 15, bold=True))
    axes.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncols=1,
        prop=_font(locale, 10),
        markerfirst=locale != "fa",
        frameon=False,
    )
    _caption(figure, texts.caption, locale)
    return _png(figure)


def _caption(figure: Figure, caption: str, locale: Locale) -> None:
    figure.supxlabel(
        _wrap(caption, 100),
        x=0.98 if locale == "fa" else 0.02,
        ha="right" if locale == "fa" else "left",
        fontproperties=_font(locale, 8),
        color="#555555",
    )


def render_subfactor_bars(
    bars: Sequence[SubFactorBar], texts: BarTexts, *, threshold: float, locale: Locale
) -> bytes:
    """Horizontal bars of the sub-factor scores, coloured driver/obstacle, with the threshold."""
    rows: list[tuple[str, SubFactorBar | None]] = []
    for each in bars:
        previous = rows[-1][1] if rows else None
        if previous is None or previous.group != each.group:
            rows.append((each.group, None))  # a heading row before each factor
        rows.append((each.label, each))
    figure = _figure(9.0, 0.42 * len(rows) + 2.4)
    axes = figure.add_subplot()
    positions = list(range(len(rows)))
    for y, (_, row) in zip(positions, rows, strict=True):
        if row is None:
            axes.axhspan(y - 0.5, y + 0.5, color=_COLOURS["band"], zorder=0)
        else:
            _draw_bar(axes, y, row, locale)
    axes.axvline(threshold, color=_COLOURS["threshold"], linestyle="--", linewidth=1.2)
    axes.set_xlim(0, MAX_SCORE + _SCORE_COLUMN)
    axes.set_ylim(len(rows) - 0.5, -0.5)  # first sub-factor on top
    axes.set_yticks(positions, [display_text(label) for label, _ in rows])
    for tick, (_, row) in zip(axes.get_yticklabels(), rows, strict=True):
        tick.set_fontproperties(_font(locale, 10 if row else 11, bold=row is None))
        if row is None:
            tick.set_color(_COLOURS["heading"])
    ticks = [0, 20, 40, 60, 80, 100]
    axes.set_xticks(ticks, [_number(locale, t) for t in ticks], fontproperties=_font(locale, 9))
    axes.tick_params(axis="y", length=0)
    axes.spines[["top", "left" if locale == "fa" else "right"]].set_visible(False)
    if locale == "fa":  # bars grow from the right, labels on the right
        axes.invert_xaxis()
        axes.yaxis.tick_right()
    _bar_legend(axes, texts, locale)
    figure.suptitle(display_text(texts.title), fontproperties=_font(locale, 14, bold=True))
    _caption(figure, texts.caption, locale)
    return _png(figure)


def _bar_legend(axes: Axes, texts: BarTexts, locale: Locale) -> None:
    driver, obstacle, unanswered = (
        Patch(color=_COLOURS[key], label=display_text(label))
        for key, label in (
            ("driver", texts.driver),
            ("obstacle", texts.obstacle),
            ("unanswered", texts.unanswered),
        )
    )
    threshold = Line2D(
        [], [], linestyle="--", color=_COLOURS["threshold"], label=display_text(texts.threshold)
    )
    # One row, read from the right in Persian.
    handles: list[Artist] = [driver, obstacle, unanswered, threshold]
    if locale == "fa":
        handles.reverse()
    axes.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=4,
        prop=_font(locale, 9),
        markerfirst=locale != "fa",
        frameon=False,
    )


def _draw_bar(axes: Axes, y: int, bar: SubFactorBar, locale: Locale) -> None:
    effect = bar.effect.value if bar.effect is not None else "unanswered"
    width = bar.score if bar.score is not None else 0.0
    axes.barh(y, max(width, 0.8), height=0.62, color=_COLOURS[effect], zorder=2)
    axes.text(
        MAX_SCORE + _SCORE_COLUMN - 1,
        y,
        _number(locale, bar.score) if bar.score is not None else "—",
        va="center",
        ha="left" if locale == "fa" else "right",
        fontproperties=_font(locale, 10),
        color=_COLOURS[effect],
        zorder=3,
    )
