"""Administrators' statistics in Telegram: /stats (summary and chart), /stats org, /export
(the readiness file by grouping and format, or the "what blocks agencies" file the same way).

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
from handlers.statistics.blockers import BlockersExport
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
#: The blockers file's groupings (after `b`): all, sector, region, month.
BLOCKER_GROUPINGS = {"a": None, "s": Dimension.SECTOR, "r": Dimension.REGION, "m": Dimension.MONTH}


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
    blockers = context.renderer.text(admin.locale, "stats_export_blockers")
    rows.append(
        [InlineKeyboardButton(blockers, callback_data=callbacks.encode(callbacks.ExportStats("b")))]
    )
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
    if choice.grouping.startswith("b"):
        await _blockers_pressed(update, context, admin, choice)
        return
    renderer, label = context.renderer, _grouping_label(context, admin, choice.grouping)
    if choice.file_format is None:
        await query.answer()
        await query.edit_message_text(
            renderer.text(admin.locale, "stats_export_format", grouping=label),
            reply_markup=InlineKeyboardMarkup([_format_row(choice.grouping)]),
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


def _format_row(grouping: str) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            fmt.value.upper(),
            callback_data=callbacks.encode(callbacks.ExportStats(grouping, fmt.value)),
        )
        for fmt in ExportFormat
    ]


def _blockers_grouping_label(context: BotContext, admin: Admin, letter: str) -> str:
    by = BLOCKER_GROUPINGS[letter]
    if by is None:
        return context.renderer.text(admin.locale, "blockers_all")
    return context.renderer.text(admin.locale, "stats_column", by.value)


async def _blockers_pressed(
    update: Update, context: BotContext, admin: Admin, choice: callbacks.ExportStats
) -> None:
    """The blockers file, the same way: `b` offers its groupings, `bX` the formats, then the file
    (through the same service and disclosure model as /plan_stats and the stats API)."""
    query = update.callback_query
    assert query is not None
    renderer, locale = context.renderer, admin.locale
    if choice.grouping == "b":
        buttons = [
            InlineKeyboardButton(
                _blockers_grouping_label(context, admin, letter),
                callback_data=callbacks.encode(callbacks.ExportStats(f"b{letter}")),
            )
            for letter in BLOCKER_GROUPINGS
        ]
        await query.answer()
        await query.edit_message_text(
            renderer.text(locale, "stats_export_blockers_grouping"),
            reply_markup=InlineKeyboardMarkup([buttons[:2], buttons[2:]]),
        )
        return
    letter = choice.grouping[1]
    grouping = _blockers_grouping_label(context, admin, letter)
    if choice.file_format is None:
        await query.answer()
        await query.edit_message_text(
            renderer.text(locale, "stats_export_blockers_format", grouping=grouping),
            reply_markup=InlineKeyboardMarkup([_format_row(choice.grouping)]),
        )
        return
    request = BlockersExport(BLOCKER_GROUPINGS[letter], ExportFormat(choice.file_format), locale)
    await query.answer(renderer.text(locale, "stats_export_preparing"))
    content = b"".join([c async for c in _statistics(context).export_blockers(request)])
    await context.services.audit.record(
        actor=admin.actor,
        action="stats.blockers",
        detail={"by": request.by.value if request.by else None, "format": request.format.value},
    )
    await _message(update).chat.send_document(
        InputFile(io.BytesIO(content), filename=request.filename),
        caption=renderer.text(locale, "stats_export_blockers_caption", grouping=grouping),
    )
