"""Telegram handlers for /privacy and /forget."""

from __future__ import annotations

from telegram import Update

from handlers import callbacks
from handlers.context import BotContext
from handlers.privacy.views import forget_question
from handlers.updates import refuse_invalid_button, reply_entry, sender, sender_locale

__all__ = ["forget", "forget_answered", "privacy"]


async def privacy(update: Update, context: BotContext) -> None:
    """Say what is stored and why."""
    await reply_entry(update, context, "privacy_text")


async def forget(update: Update, context: BotContext) -> None:
    """Ask for confirmation before deleting the person's data."""
    question = forget_question(context.renderer, await sender_locale(update, context))
    message = update.effective_message
    assert message is not None
    await message.reply_html(question.text, reply_markup=question.keyboard)


async def forget_answered(update: Update, context: BotContext) -> None:
    """Delete the person's data when confirmed; otherwise keep it."""
    query = update.callback_query
    assert query is not None
    choice = callbacks.decode(query.data)
    if not isinstance(choice, callbacks.ConfirmForget):  # "forget:" with a forged tail
        await refuse_invalid_button(update, context)
        return
    locale = await sender_locale(update, context)
    if choice.confirmed:
        telegram_id, _ = sender(update)
        actor = context.services.audit.actor_for(telegram_id)
        await context.services.privacy.forget(telegram_id=telegram_id, actor=actor)
    await query.answer()
    key = "forget_done" if choice.confirmed else "forget_kept"
    await query.edit_message_text(context.renderer.text(locale, key))
