"""The results as pictures and as a document: two charts after the results, and /report."""

from __future__ import annotations

import asyncio
import logging

from telegram import Chat, InputFile, Update

from handlers.charts import (
    BarTexts,
    FactorPoint,
    RadarTexts,
    SubFactorBar,
    baseline_score,
    render_radar,
    render_subfactor_bars,
)
from handlers.checklist import Results
from handlers.context import BotContext
from handlers.i18n import Renderer
from handlers.report_document import ChartImage, render_report_document
from knowledge import Effect, KnowledgeBase, Locale

__all__ = [
    "REPORT_FILE_PREFIX",
    "chart_images",
    "factor_baselines",
    "report",
    "report_filename",
    "send_charts",
]

log = logging.getLogger(__name__)
REPORT_FILE_PREFIX = "pishran-report"


def factor_baselines(kb: KnowledgeBase) -> dict[str, float]:
    """Each factor's national baseline as drawn: the mean of its sub-factors' band middles."""
    threshold = kb.driver_threshold
    return {
        factor.key: sum(baseline_score(sf.baseline, threshold) for sf in factor.subfactors)
        / len(factor.subfactors)
        for factor in kb.factors
    }


def _shown(value: float) -> str:
    return format(value, "g")  # 60.0 -> "60", 42.5 -> "42.5"


def chart_images(renderer: Renderer, locale: Locale, results: Results) -> list[ChartImage]:
    """The radar (with the sector's means when the results have them) and the sub-factor bars."""
    kb, readiness = results.kb, results.readiness
    threshold = kb.driver_threshold
    bands = {
        "threshold": _shown(threshold),
        "driver": _shown(baseline_score(Effect.DRIVER, threshold)),
        "obstacle": _shown(baseline_score(Effect.OBSTACLE, threshold)),
    }

    def text(member: str, **values: str) -> str:
        return renderer.text(locale, "chart", member, **values)

    baselines = factor_baselines(kb)
    means = results.sector_means or {}
    points = [
        FactorPoint(kb.factor(f.key).title.get(locale), f.score, baselines[f.key], means.get(f.key))
        for f in readiness.factors
    ]
    radar_texts = RadarTexts(
        title=text("radar_title"),
        agency=text("agency"),
        baseline=text("baseline"),
        sector=text("sector"),
        threshold=text("threshold", threshold=bands["threshold"]),
        caption=text("radar_caption", **bands),
    )
    bars = [
        SubFactorBar(
            label=kb.subfactor(sf.key).title.get(locale),
            group=kb.factor(sf.factor_key).title.get(locale),
            score=sf.score,
            effect=sf.effect,
            baseline=sf.baseline,
        )
        for sf in readiness.subfactors
    ]
    bar_texts = BarTexts(
        title=text("bars_title"),
        driver=text("driver"),
        obstacle=text("obstacle"),
        unanswered=text("unanswered"),
        baseline=text("baseline"),
        threshold=text("threshold", threshold=bands["threshold"]),
        caption=text("bars_caption", **bands),
    )
    return [
        ChartImage("radar", render_radar(points, radar_texts, threshold=threshold, locale=locale)),
        ChartImage(
            "bars", render_subfactor_bars(bars, bar_texts, threshold=threshold, locale=locale)
        ),
    ]


async def send_charts(chat: Chat, renderer: Renderer, locale: Locale, results: Results) -> None:
    """Send the two charts as photos after the results, each with a localised caption."""
    try:
        # Drawing takes a noticeable fraction of a second: keep it off the event loop.
        images = await asyncio.to_thread(chart_images, renderer, locale, results)
    except Exception:  # the results text has been sent; the pictures are an extra
        log.exception("could not draw the charts for assessment %s", results.assessment_id)
        return
    for image in images:
        caption = renderer.markup(locale, "chart_caption", image.key)
        await chat.send_photo(image.png, caption=caption)


def report_filename(results: Results) -> str:
    """The document's file name, dated by the assessment's completion."""
    when = results.completed_at.date().isoformat() if results.completed_at else "latest"
    return f"{REPORT_FILE_PREFIX}-{when}.html"


def _document(renderer: Renderer, locale: Locale, results: Results) -> bytes:
    charts = chart_images(renderer, locale, results)
    return render_report_document(renderer, locale, results, charts).encode("utf-8")


async def report(update: Update, context: BotContext) -> None:
    """Send the latest results as a printable HTML document (charts, advice, references)."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    step = await context.checklist.latest_results(
        telegram_id=user.id, language_code=user.language_code
    )
    renderer = context.renderer
    if step.results is None:
        await message.reply_html(renderer.markup(step.locale, "no_report"))
        return
    document = await asyncio.to_thread(_document, renderer, step.locale, step.results)
    await message.reply_document(
        InputFile(document, filename=report_filename(step.results)),
        caption=renderer.markup(step.locale, "report_caption"),
    )
