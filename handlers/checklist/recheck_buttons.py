"""Telegram handlers for closing the loop: the offer after a check-in answered done, and the
recheck's buttons (take the offer, answer its questions)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from handlers import callbacks
from handlers.checklist.messages import REFUSAL_KEYS
from handlers.checklist.recheck_views import (
    recheck_offer_rows,
    render_recheck_offer,
    render_recheck_step,
)
from handlers.checklist.steps import Refusal
from handlers.context import BotContext
from handlers.updates import refuse_invalid_button, sender

__all__ = ["offer_after_check_in", "offers_under_plan", "recheck_pressed"]

_REFUSALS = {
    **REFUSAL_KEYS,
    Refusal.CLOSED: "recheck_closed",
    Refusal.OUTDATED: "recheck_outdated",
    Refusal.RECHECKED: "recheck_done",
}


async def offer_after_check_in(update: Update, context: BotContext) -> None:
    """After the plan's handler recorded a check-in "done": offer the sub-factor's recheck
    when most of its steps are now done (once)."""
    query = update.callback_query
    message = update.effective_message
    pressed = callbacks.decode(query.data if query is not None else None)
    if message is None or not isinstance(pressed, callbacks.CheckInAnswer):
        return
    if pressed.status != "done":
        return
    telegram_id, language_code = sender(update)
    locale, kb, offer = await context.checklist.offer_after_check_in(
        telegram_id=telegram_id, language_code=language_code, plan_step_id=pressed.plan_step_id
    )
    if offer is None:
        return
    reply = render_recheck_offer(context.renderer, locale, kb, offer)
    await message.chat.send_message(reply.text, reply_markup=reply.keyboard)


async def offers_under_plan(update: Update, context: BotContext) -> None:
    """After the plan's handler answered a bare /plan: the rechecks on offer, if any."""
    message = update.effective_message
    if message is None or context.args:  # /plan pause, /plan tz …: no offer
        return
    telegram_id, language_code = sender(update)
    locale, kb, offers = await context.checklist.recheck_offers(
        telegram_id=telegram_id, language_code=language_code
    )
    rows = recheck_offer_rows(context.renderer, locale, kb, offers)
    if rows:
        await message.reply_html(
            context.renderer.markup(locale, "recheck_offers"),
            reply_markup=InlineKeyboardMarkup(rows),
        )


async def recheck_pressed(update: Update, context: BotContext) -> None:
    """Take a recheck offer (the first question), or answer one (the next, or the before/after)."""
    query = update.callback_query
    message = update.effective_message
    assert query is not None and message is not None
    pressed = callbacks.decode(query.data)
    telegram_id, language_code = sender(update)
    checklist = context.checklist
    if isinstance(pressed, callbacks.RecheckStart):
        step = await checklist.start_recheck(
            telegram_id=telegram_id,
            language_code=language_code,
            plan_assessment_id=pressed.assessment_id,
            subfactor_key=pressed.subfactor_key,
        )
    elif isinstance(pressed, callbacks.RecheckAnswer):
        step = await checklist.answer_recheck(
            telegram_id=telegram_id,
            language_code=language_code,
            recheck_id=pressed.recheck_id,
            position=pressed.position,
            value=pressed.value,
        )
    else:  # "rs:" or "ra:" with a forged tail
        await refuse_invalid_button(update, context)
        return
    renderer = context.renderer
    if step.refusal is not None:
        await query.answer(renderer.text(step.locale, _REFUSALS[step.refusal]), show_alert=True)
        return
    notice = renderer.text(step.locale, "notice", step.notice) if step.notice else None
    await query.answer(notice)
    reply = render_recheck_step(renderer, step)
    if isinstance(pressed, callbacks.RecheckAnswer):  # the question is replaced by the next
        await message.edit_text(reply.text, reply_markup=reply.keyboard)
        return
    await message.chat.send_message(reply.text, reply_markup=reply.keyboard)
