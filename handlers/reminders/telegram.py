"""The reminder job and its "continue" button: one reminder per unfinished assessment.

Delivery is at most once. A claim is committed before the message is sent and is kept when
sending fails (403 also marks the person blocked; 400 would fail again; after a read timeout
Telegram may have delivered it). Only a failure that surely delivered nothing (429 flood control,
a 5xx answer, a connection never made) gives the claim back, so that the next run tries again.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, Job

from handlers import callbacks
from handlers.checklist.views import render_step
from handlers.context import SERVICES_KEY, BotContext
from handlers.i18n import Renderer
from handlers.reminders.service import Reminder, Reminders
from storage.pseudonyms import hash_user_id, user_hash_key

__all__ = [
    "JOB_NAME",
    "Outcome",
    "ReminderRun",
    "continue_pressed",
    "remind",
    "render_reminder",
    "send_due_reminders",
    "setup_reminders",
]

log = logging.getLogger(__name__)
JOB_NAME = "reminders"
_NOT_CONNECTED = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Outcome(StrEnum):
    """What became of one claimed reminder."""

    SENT = "sent"
    BLOCKED = "blocked"
    RELEASED = "released"
    FAILED = "failed"


@dataclass(frozen=True)
class ReminderRun:
    """How many claimed reminders of one run ended in each outcome."""

    sent: int = 0
    blocked: int = 0
    released: int = 0
    failed: int = 0


def render_reminder(renderer: Renderer, reminder: Reminder) -> tuple[str, InlineKeyboardMarkup]:
    """The reminder's text (Telegram HTML) and its "continue" button, in the person's language."""
    locale = reminder.locale
    text = renderer.render(locale, "reminder.html", number=reminder.number, total=reminder.total)
    button = InlineKeyboardButton(
        renderer.text(locale, "button_reminder_continue"),
        callback_data=callbacks.encode(callbacks.ContinueChecklist(reminder.assessment_id)),
    )
    return text, InlineKeyboardMarkup([[button]])


async def _deliver(
    bot: Bot, reminders: Reminders, renderer: Renderer, reminder: Reminder
) -> Outcome:
    text, keyboard = render_reminder(renderer, reminder)
    # Never the Telegram id in a log line: the keyed hash the update log lines use too.
    ids = (reminder.assessment_id, hash_user_id(reminder.telegram_id, key=user_hash_key(bot.token)))
    try:
        await bot.send_message(reminder.telegram_id, text, reply_markup=keyboard)
    except Forbidden:
        await reminders.record_blocked(telegram_id=reminder.telegram_id)
        log.info("reminder for assessment %s: user %s blocked the bot", *ids)
        return Outcome.BLOCKED
    except TelegramError as exc:
        if not _certainly_undelivered(exc):
            log.warning("reminder for assessment %s to user %s not sent: %s", *ids, exc)
            return Outcome.FAILED
        await reminders.release(reminder=reminder)
        log.warning("reminder for assessment %s to user %s deferred: %s", *ids, exc)
        return Outcome.RELEASED
    return Outcome.SENT


def _certainly_undelivered(error: TelegramError) -> bool:
    """Whether Telegram surely did not send the message, so that sending it later is safe."""
    if isinstance(error, RetryAfter):  # 429: flood control refused it
        return True
    if not isinstance(error, NetworkError) or isinstance(error, BadRequest):
        return False  # 400 and the like would fail again
    cause = error.__cause__
    if cause is None or isinstance(cause, TelegramError):  # the server answered: 5xx
        return not isinstance(error, TimedOut)
    # A connection that was never made sent nothing; a read timeout or a connection lost
    # mid-request may hide a delivered message.
    return isinstance(cause, _NOT_CONNECTED)


async def send_due_reminders(
    *, bot: Bot, reminders: Reminders, renderer: Renderer, now: datetime
) -> ReminderRun:
    """Claim every reminder due at `now` and send each once; 403 marks the person blocked."""
    counts: Counter[Outcome] = Counter()
    while True:
        batch = await reminders.claim_due(now=now)
        outcomes = [await _deliver(bot, reminders, renderer, reminder) for reminder in batch]
        counts.update(outcomes)
        # A released claim is due again at once: it waits for the next run, not this loop.
        if len(batch) < reminders.batch_size or Outcome.RELEASED in outcomes:
            break
    return ReminderRun(**{outcome.value: counts[outcome] for outcome in Outcome})


async def remind(context: BotContext) -> None:
    """The periodic job: send the reminders due now, by the real clock."""
    reminders = context.services.reminders
    run = await send_due_reminders(
        bot=context.bot, reminders=reminders, renderer=context.renderer, now=datetime.now(UTC)
    )
    if run != ReminderRun():
        log.info("reminders: %s", run)


def setup_reminders(application: Application[Any, Any, Any, Any, Any, Any]) -> Job[Any]:
    """Run the reminder job every `Reminders.interval` on the application's JobQueue."""
    reminders: Reminders = application.bot_data[SERVICES_KEY].reminders
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError('reminders need the JobQueue: install "python-telegram-bot[job-queue]"')
    return job_queue.run_repeating(remind, interval=reminders.interval, name=JOB_NAME)


async def continue_pressed(update: Update, context: BotContext) -> None:
    """Show the current question of the assessment a reminder was about."""
    query, user, message = update.callback_query, update.effective_user, update.effective_message
    assert query is not None and user is not None and message is not None
    pressed = callbacks.decode(query.data)
    step = await context.checklist.current(telegram_id=user.id, language_code=user.language_code)
    if not isinstance(pressed, callbacks.ContinueChecklist):
        await query.answer(context.renderer.text(step.locale, "invalid_button"), show_alert=True)
        return
    if step.refusal is not None or step.assessment_id != pressed.assessment_id:
        key = "no_active" if step.refusal is not None else "closed_assessment"
        await query.answer(context.renderer.text(step.locale, key), show_alert=True)
        return
    await query.answer()
    for reply in render_step(context.renderer, step):
        await message.chat.send_message(reply.text, reply_markup=reply.keyboard)
