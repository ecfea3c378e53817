"""The results as pictures and as a document: the charts on request, and the PDF report."""

from __future__ import annotations

import contextlib
import logging

from telegram import CallbackQuery, Chat, InputFile, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from handlers import callbacks
from handlers.checklist.service import Results
from handlers.context import BotContext
from handlers.i18n import Renderer
from handlers.report.chart_data import (
    BarTexts,
    ChartImage,
    FactorPoint,
    RadarTexts,
    SubFactorBar,
)
from handlers.report.chart_drawer import ChartDrawer, ChartJob, draw_job
from handlers.report.document import render_report_document, report_filename
from handlers.report.pdf import html_to_pdf
from knowledge import Locale

__all__ = [
    "chart_images",
    "chart_job",
    "charts_pressed",
    "report",
    "report_pressed",
]

log = logging.getLogger(__name__)


def _shown(value: float) -> str:
    return format(value, "g")  # 60.0 -> "60", 42.5 -> "42.5"


def chart_job(renderer: Renderer, locale: Locale, results: Results) -> ChartJob:
    """What the radar (with the sector's means when the results have them) and the sub-factor
    bars show, in `locale`: cheap to build here, drawn by `draw_job` in a worker process."""
    kb, readiness = results.kb, results.readiness
    threshold = kb.driver_threshold
    shown = _shown(threshold)

    def text(member: str, **values: str) -> str:
        return renderer.text(locale, "chart", member, **values)

    # The national review classifies sub-factors from the literature and gives no scores: it
    # is never drawn. The agency is drawn against its sector's mean when the sector has enough
    # completed assessments, else alone (and the caption says so).
    means = results.sector_means or {}
    points = [
        FactorPoint(kb.factor(f.key).title.get(locale), f.score, means.get(f.key))
        for f in readiness.factors
    ]
    compared = any(p.sector_mean is not None for p in points)
    radar_texts = RadarTexts(
        title=text("radar_title"),
        agency=text("agency"),
        sector=text("sector"),
        threshold=text("threshold", threshold=shown),
        caption=text("radar_caption" if compared else "radar_caption_alone", threshold=shown),
    )
    bars = [
        SubFactorBar(
            label=kb.subfactor(sf.key).title.get(locale),
            group=kb.factor(sf.factor_key).title.get(locale),
            score=sf.score,
            effect=sf.effect,
        )
        for sf in readiness.subfactors
    ]
    bar_texts = BarTexts(
        title=text("bars_title"),
        driver=text("driver"),
        obstacle=text("obstacle"),
        unanswered=text("unanswered"),
        threshold=text("threshold", threshold=shown),
        caption=text("bars_caption", threshold=shown),
    )
    return ChartJob(locale, threshold, tuple(points), radar_texts, tuple(bars), bar_texts)


def chart_images(renderer: Renderer, locale: Locale, results: Results) -> list[ChartImage]:
    """The two charts drawn in this process (tests, benchmarks; the bot uses a ChartDrawer)."""
    return draw_job(chart_job(renderer, locale, results))


async def _pressed_results(
    update: Update,
    context: BotContext,
    kind: type[callbacks.ShowCharts] | type[callbacks.ShowReport],
) -> tuple[CallbackQuery, Chat, Locale, Results] | None:
    """The presser's own completed assessment named by a button under the results; a forged,
    someone else's, unfinished or forgotten one gets an alert and None."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    pressed = callbacks.decode(query.data)
    assessment_id = pressed.assessment_id if isinstance(pressed, kind) else None
    locale, results = await context.checklist.completed_results(
        telegram_id=user.id, language_code=user.language_code, assessment_id=assessment_id
    )
    if results is None:
        await query.answer(context.renderer.text(locale, "invalid_button"), show_alert=True)
        return None
    return query, query.message.chat, locale, results


async def charts_pressed(update: Update, context: BotContext) -> None:
    """Send the two charts of the presser's own completed assessment (the button under the
    results). Only the checks run in line with other updates; drawing and sending run as a
    task of the ChartDrawer, with the drawing in a worker process."""
    pressed = await _pressed_results(update, context, callbacks.ShowCharts)
    if pressed is None:
        return
    query, chat, locale, results = pressed
    renderer, drawer = context.renderer, context.services.charts
    job = chart_job(renderer, locale, results)
    work = _draw_and_send(chat, renderer, locale, job, drawer)
    # A repeated press while they are being drawn draws nothing more.
    started = drawer.start(("charts", results.assessment_id), work)
    await query.answer(renderer.text(locale, "charts_drawing" if started else "charts_busy"))


async def _draw_and_send(
    chat: Chat, renderer: Renderer, locale: Locale, job: ChartJob, drawer: ChartDrawer
) -> None:
    with contextlib.suppress(TelegramError):  # only a hint that something is coming
        await chat.send_chat_action(ChatAction.UPLOAD_PHOTO)
    try:
        images = await drawer.draw(job)
    except Exception:
        log.exception("could not draw the charts")
        await chat.send_message(renderer.markup(locale, "charts_failed"))
        return
    for image in images:
        caption = renderer.markup(locale, "chart_caption", image.key)
        await chat.send_photo(image.png, caption=caption)


async def report(update: Update, context: BotContext) -> None:
    """/report: send the latest results as a PDF report (charts, advice, plan, references).

    Like the charts button, the report is drawn, laid out and sent by a ChartDrawer task, with
    the drawing and the layout in the worker process, so it holds up no one else's update."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    step = await context.checklist.latest_results(
        telegram_id=user.id, language_code=user.language_code
    )
    renderer = context.renderer
    if step.results is None:
        await message.reply_html(renderer.markup(step.locale, "no_report"))
        return
    drawer = context.services.charts
    key = ("report", step.results.assessment_id)
    work = _send_report(message.chat, renderer, step.locale, step.results, drawer)
    if not drawer.start(key, work):
        await message.reply_html(renderer.markup(step.locale, "report_busy"))


async def report_pressed(update: Update, context: BotContext) -> None:
    """The "📄 Report" button under the results: the PDF of the presser's own completed
    assessment named in the button (a forged or someone else's id gets an alert)."""
    pressed = await _pressed_results(update, context, callbacks.ShowReport)
    if pressed is None:
        return
    query, chat, locale, results = pressed
    renderer, drawer = context.renderer, context.services.charts
    work = _send_report(chat, renderer, locale, results, drawer)
    started = drawer.start(("report", results.assessment_id), work)
    await query.answer(renderer.text(locale, "report_preparing" if started else "report_busy"))


def render_report_pdf(html: str) -> bytes:
    """The PDF of a report page (a module-level function, so a worker process can run it)."""
    return html_to_pdf(html)


async def _send_report(
    chat: Chat, renderer: Renderer, locale: Locale, results: Results, drawer: ChartDrawer
) -> None:
    with contextlib.suppress(TelegramError):  # only a hint that something is coming
        await chat.send_chat_action(ChatAction.UPLOAD_DOCUMENT)
    try:
        charts = await drawer.draw(chart_job(renderer, locale, results))
        document = render_report_document(renderer, locale, results, charts)
        pdf = await drawer.run(render_report_pdf, document)
    except Exception:
        log.exception("could not make the report")
        await chat.send_message(renderer.markup(locale, "report_failed"))
        return
    await chat.send_document(
        InputFile(pdf, filename=report_filename(locale, results)),
        caption=renderer.markup(locale, "report_caption"),
    )
