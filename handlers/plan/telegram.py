"""/plan, the plan's buttons, and the check-in job: one question per due step, sent once.

Delivery is at most once, as for reminders: the claim is committed before sending and given back
only when Telegram surely sent nothing (429, a 5xx answer, a connection never made).
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram import Bot, InputFile, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ApplicationHandlerStop, Job

from handlers import callbacks
from handlers.admin_access import Admin, admin_only
from handlers.context import SERVICES_KEY, BotContext
from handlers.i18n import Renderer, bidi_isolate
from handlers.plan.calendar import plan_calendar
from handlers.plan.service import CheckIn, Plans, StepStatus
from handlers.plan.statistics import render_blockers
from handlers.plan.views import (
    offer_keyboard,
    reasons_keyboard,
    render_check_in,
    render_offer,
    render_overview,
)
from handlers.reminders.telegram import _certainly_undelivered
from handlers.replies import split_message
from handlers.statistics.blockers import BlockersExport, parse_plan_dimension
from handlers.statistics.exports import ExportFormat
from handlers.updates import refuse_invalid_button, sender
from storage.stats import Dimension

__all__ = [
    "JOB_NAME",
    "PLAN_COMMANDS",
    "CheckInRun",
    "check_in",
    "note_received",
    "plan_command",
    "plan_pressed",
    "plan_stats",
    "send_due_check_ins",
    "setup_check_ins",
]

log = logging.getLogger(__name__)
JOB_NAME = "plan_check_ins"
PLAN_COMMANDS = ("plan", "plan_pause", "plan_resume", "plan_ics")
PAUSE_WORDS = {"pause", "stop", "توقف"}
RESUME_WORDS = {"resume", "start", "ادامه"}


@dataclass(frozen=True)
class CheckInRun:
    """How many claimed check-ins of one run were sent, refused (403), given back or lost."""

    sent: int = 0
    blocked: int = 0
    released: int = 0
    failed: int = 0


def _plans(context: BotContext) -> Plans:
    return context.services.plans


async def plan_command(update: Update, context: BotContext) -> None:
    """/plan shows the committed steps; /plan pause, /plan resume, /plan ics, /plan tz ZONE (the
    first three also written
    /plan_pause, /plan_resume, /plan_ics: one word, so that a tap in the text sends it)."""
    message = update.effective_message
    assert message is not None
    telegram_id, language_code = sender(update)
    plans, renderer = _plans(context), context.renderer
    word = (context.args or [""])[0].lower()
    command = (message.text or "").split(maxsplit=1)[0].split("@")[0] if message.text else ""
    if command.startswith("/plan_"):
        word = command.removeprefix("/plan_").lower()
    now = datetime.now(UTC)
    if word in PAUSE_WORDS | RESUME_WORDS:
        paused = word in PAUSE_WORDS
        locale = await plans.set_paused(
            telegram_id=telegram_id, language_code=language_code, paused=paused, now=now
        )
        key = "plan_paused" if paused else "plan_resumed"
        await message.reply_html(renderer.text(locale, key, resume=bidi_isolate("/plan_resume")))
        return
    if word in {"tz", "timezone"}:
        name = (context.args or ["", ""])[1:2] or [""]
        locale, zone = await plans.set_time_zone(
            telegram_id=telegram_id, language_code=language_code, name=name[0]
        )
        key = "plan_time_zone_set" if zone else "plan_time_zone_unknown"
        await message.reply_html(renderer.text(locale, key, zone=bidi_isolate(zone or name[0])))
        return
    locale, overview = await plans.overview(telegram_id=telegram_id, language_code=language_code)
    if word == "ics" and overview.steps:
        await message.reply_document(
            InputFile(plan_calendar(renderer, locale, overview), filename="plan.ics")
        )
        return
    await message.reply_html(render_overview(renderer, locale, overview))


@admin_only("plan_stats")
async def plan_stats(update: Update, context: BotContext, admin: Admin) -> None:
    """/plan_stats [sector|region|month|all] [csv|json|xlsx]: what blocks agencies, as a
    message or a file (administrators only)."""
    message = update.effective_message
    assert message is not None
    words = [word.lower() for word in context.args or []]
    formats = {f.value: f for f in ExportFormat}
    file_format = next((formats[w] for w in words if w in formats), None)
    grouping = next((w for w in words if w not in formats), "sector")
    try:
        by = parse_plan_dimension(grouping)
    except ValueError:
        by = Dimension.SECTOR
    statistics = context.services.statistics
    detail = {"by": by.value if by else None, "format": file_format.value if file_format else None}
    await context.services.audit.record(actor=admin.actor, action="stats.blockers", detail=detail)
    if file_format is not None:
        request = BlockersExport(by, file_format, admin.locale)
        content = b"".join([chunk async for chunk in statistics.export_blockers(request)])
        await message.reply_document(InputFile(io.BytesIO(content), filename=request.filename))
        return
    text = render_blockers(context.renderer, admin.locale, await statistics.blockers(by))
    for part in split_message(text):
        await message.reply_html(part)


async def plan_pressed(update: Update, context: BotContext) -> None:
    """The plan's buttons: open the plan, commit to steps, answer a check-in and its reason."""
    query, message = update.callback_query, update.effective_message
    assert query is not None and message is not None
    pressed = callbacks.decode(query.data)
    telegram_id, language_code = sender(update)
    plans, renderer = _plans(context), context.renderer
    now = datetime.now(UTC)
    if isinstance(pressed, callbacks.OpenPlan | callbacks.CommitStep):
        added = None
        if isinstance(pressed, callbacks.CommitStep):
            locale, added = await plans.commit(
                telegram_id=telegram_id,
                language_code=language_code,
                assessment_id=pressed.assessment_id,
                index=pressed.index,
                now=now,
            )
        locale, offer = await plans.offer(
            telegram_id=telegram_id,
            language_code=language_code,
            assessment_id=pressed.assessment_id,
        )
        if offer is None or (isinstance(pressed, callbacks.CommitStep) and added is None):
            await query.answer(renderer.text(locale, "plan_unavailable"), show_alert=True)
            return
        if added is None:
            await query.answer()
            for reply in render_offer(renderer, locale, offer):
                await message.chat.send_message(reply.text, reply_markup=reply.keyboard)
            return
        key = "plan_committed" if added else "plan_nothing_new"
        await query.answer(renderer.text(locale, key, count=added))
        await query.edit_message_reply_markup(offer_keyboard(renderer, locale, offer))
        return
    if isinstance(pressed, callbacks.CheckInAnswer | callbacks.CheckInReason):
        reason = pressed.reason if isinstance(pressed, callbacks.CheckInReason) else None
        status = StepStatus.BLOCKED if reason else StepStatus(pressed.status)  # type: ignore[union-attr]
        locale, ok = await plans.answer(
            telegram_id=telegram_id,
            language_code=language_code,
            plan_step_id=pressed.plan_step_id,
            status=status,
            reason=reason,
            now=now,
        )
        if not ok:
            await query.answer(renderer.text(locale, "plan_unavailable"), show_alert=True)
            return
        await query.answer()
        if status is StepStatus.BLOCKED and reason is None:
            await message.chat.send_message(
                renderer.text(locale, "checkin_why"),
                reply_markup=reasons_keyboard(
                    renderer, locale, await plans.block_reasons(), pressed.plan_step_id
                ),
            )
        elif reason is not None:
            # The next text message (on any replica) is an optional note in the person's words.
            await message.chat.send_message(renderer.text(locale, "checkin_note_invited"))
        else:
            await message.chat.send_message(renderer.text(locale, "checkin_thanks"))
        await query.edit_message_reply_markup(None)
        return
    await refuse_invalid_button(update, context)


async def note_received(update: Update, context: BotContext) -> None:
    """The optional note after a blocking reason; any other text goes on to the checklist."""
    message = update.effective_message
    if message is None or not message.text:
        return
    telegram_id, language_code = sender(update)
    taken = await _plans(context).take_note(
        telegram_id=telegram_id,
        language_code=language_code,
        text=message.text,
        now=datetime.now(UTC),
    )
    if taken is None:
        return
    locale, kept = taken
    if kept:
        await message.reply_html(context.renderer.text(locale, "checkin_note_kept"))
        raise ApplicationHandlerStop


async def _deliver(bot: Bot, plans: Plans, renderer: Renderer, item: CheckIn) -> str:
    text, keyboard = render_check_in(renderer, item)
    try:
        await bot.send_message(item.telegram_id, text, reply_markup=keyboard)
    except Forbidden:
        await plans.check_ins.record_blocked(telegram_id=item.telegram_id)
        return "blocked"
    except TelegramError as exc:
        if not _certainly_undelivered(exc):
            log.warning("check-in for plan step %s not sent: %s", item.plan_step_id, exc)
            return "failed"
        await plans.check_ins.release(check_in=item)
        log.warning("check-in for plan step %s deferred: %s", item.plan_step_id, exc)
        return "released"
    return "sent"


async def send_due_check_ins(
    *, bot: Bot, plans: Plans, renderer: Renderer, now: datetime
) -> CheckInRun:
    """Claim the check-ins due at `now` (one per person and local day) and send each once."""
    claimed = await plans.check_ins.claim_due(now=now)
    counts = Counter([await _deliver(bot, plans, renderer, item) for item in claimed])
    return CheckInRun(**counts)


async def check_in(context: BotContext) -> None:
    """The periodic job: send the check-ins due now, by the real clock."""
    run = await send_due_check_ins(
        bot=context.bot, plans=_plans(context), renderer=context.renderer, now=datetime.now(UTC)
    )
    if run != CheckInRun():
        log.info("plan check-ins: %s", run)


def setup_check_ins(application: Application[Any, Any, Any, Any, Any, Any]) -> Job[Any]:
    """Run the check-in job every `CheckIns.interval` on the application's JobQueue."""
    plans: Plans = application.bot_data[SERVICES_KEY].plans
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError('check-ins need the JobQueue: install "python-telegram-bot[job-queue]"')
    return job_queue.run_repeating(check_in, interval=plans.check_ins.interval, name=JOB_NAME)
