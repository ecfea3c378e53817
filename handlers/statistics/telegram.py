"""Administrators' statistics in Telegram: /stats (summary and chart), /stats org, /export.

Everyone else is refused (localised) and the attempt is audited, by `admin_only`.
"""

from __future__ import annotations

import io
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update

from handlers import callbacks
from handlers.admin_access import Admin, admin_only
from handlers.context import BotContext
from handlers.i18n import bidi_isolate
from handlers.plan.statistics import render_blockers
from handlers.replies import split_message
from handlers.report.chart_drawer import draw_factor_means
from handlers.statistics.exports import ExportFormat
from handlers.statistics.service import ExportRequest, Statistics, Summary, lowest_driver_shares
from storage.stats import Dimension

__all__ = ["GROUPINGS", "export", "export_pressed", "stats"]

log = logging.getLogger(__name__)

_LETTERS = {
    "s": Dimension.SECTOR,
    "r": Dimension.REGION,
    "o": Dimension.ORGANISATION,
    "l": Dimension.ROLE,
    "m": Dimension.MONTH,
}
#: The groupings offered as buttons under /export (letters of _LETTERS).
GROUPINGS = ("s", "r", "o", "l", "m", "sm", "rm", "sr", "sl", "om")


def _statistics(context: BotContext) -> Statistics:
    return context.services.statistics


def _message(update: Update) -> Message:
    message = update.effective_message
    assert message is not None
    return message


async def _send_text(message: Message, text: str) -> None:
    for part in split_message(text):
        await message.chat.send_message(part)


async def _chart(context: BotContext, admin: Admin, summary: Summary) -> bytes:
    """The chart of factor means, drawn in the charts' worker process."""
    kb, locale = summary.kb, admin.locale
    return await context.services.charts.run(
        draw_factor_means,
        [f.title.get(locale) for f in kb.factors],
        [summary.overall.factors.get(f.key) for f in kb.factors],
        context.renderer.text(locale, "stats_chart_title"),
        kb.driver_threshold,
        locale,
    )


@admin_only("stats")
async def stats(update: Update, context: BotContext, admin: Admin) -> None:
    """Send the national summary with a chart of factor means; `/stats org CODE` a profile."""
    if context.args and context.args[0].lower() == "org":
        await _organisation(update, context, admin, context.args[1:])
        return
    summary = await _statistics(context).summary()
    await context.services.audit.record(actor=admin.actor, action="stats.view")
    renderer, message = context.renderer, _message(update)
    lowest = lowest_driver_shares(summary.kb, summary.overall)
    await _send_text(
        message, renderer.render(admin.locale, "stats_summary.html", s=summary, lowest=lowest)
    )
    if not summary.overall.suppressed:
        png = await _chart(context, admin, summary)
        await message.chat.send_photo(png, caption=renderer.text(admin.locale, "stats_chart_title"))
    await _send_text(message, renderer.render(admin.locale, "stats_answers.html", s=summary))
    blockers = await _statistics(context).blockers()
    await _send_text(message, render_blockers(renderer, admin.locale, blockers, detailed=False))


async def _organisation(update: Update, context: BotContext, admin: Admin, args: list[str]) -> None:
    renderer, message = context.renderer, _message(update)
    if len(args) != 1:
        await message.reply_html(renderer.markup(admin.locale, "stats_org_usage"))
        return
    code = args[0]
    await context.services.audit.record(
        actor=admin.actor, action="stats.organisation", detail={"code": code}
    )
    profile = await _statistics(context).organisation(code)
    if profile is None:
        shown = bidi_isolate(code)
        await message.reply_html(
            renderer.markup(admin.locale, "stats_org_unknown", code=shown, k=_statistics(context).k)
        )
        return
    kb, group = profile
    await _send_text(
        message, renderer.render(admin.locale, "stats_org.html", kb=kb, g=group, code=code)
    )


def _grouping_label(context: BotContext, admin: Admin, letters: str) -> str:
    names = [
        context.renderer.text(admin.locale, "stats_column", _LETTERS[c].value) for c in letters
    ]
    return " × ".join(names)


@admin_only("export")
async def export(update: Update, context: BotContext, admin: Admin) -> None:
    """Offer the groupings as buttons."""
    buttons = [
        InlineKeyboardButton(
            _grouping_label(context, admin, letters),
            callback_data=callbacks.encode(callbacks.ExportStats(letters)),
        )
        for letters in GROUPINGS
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    await _message(update).reply_html(
        context.renderer.markup(admin.locale, "stats_export_grouping"),
        reply_markup=InlineKeyboardMarkup(rows),
    )


@admin_only("export")
async def export_pressed(update: Update, context: BotContext, admin: Admin) -> None:
    """A grouping was chosen: offer the formats; a format was chosen: send the file."""
    query = update.callback_query
    assert query is not None
    choice = callbacks.decode(query.data)
    assert isinstance(choice, callbacks.ExportStats)
    renderer, label = context.renderer, _grouping_label(context, admin, choice.grouping)
    if choice.file_format is None:
        row = [
            InlineKeyboardButton(
                fmt.value.upper(),
                callback_data=callbacks.encode(callbacks.ExportStats(choice.grouping, fmt.value)),
            )
            for fmt in ExportFormat
        ]
        await query.answer()
        await query.edit_message_text(
            renderer.text(admin.locale, "stats_export_format", grouping=label),
            reply_markup=InlineKeyboardMarkup([row]),
        )
        return
    request = ExportRequest(
        by=tuple(_LETTERS[c] for c in choice.grouping),
        format=ExportFormat(choice.file_format),
        locale=admin.locale,
    )
    await query.answer(renderer.text(admin.locale, "stats_export_preparing"))
    content = b"".join([chunk async for chunk in _statistics(context).export(request)])
    await context.services.audit.record(
        actor=admin.actor,
        action="stats.export",
        detail={"by": [d.value for d in request.by], "format": request.format.value},
    )
    await _message(update).chat.send_document(
        InputFile(io.BytesIO(content), filename=request.filename),
        caption=renderer.text(admin.locale, "stats_export_caption", grouping=label),
    )
