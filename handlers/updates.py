"""What every Telegram handler reads from an update, and the one-line answers they share."""

from __future__ import annotations

from telegram import Update

from handlers.context import BotContext
from knowledge import Locale

__all__ = ["refuse_invalid_button", "reply_entry", "sender", "sender_locale"]


def sender(update: Update) -> tuple[int, str | None]:
    """The Telegram id and language code of the person behind the update."""
    user = update.effective_user
    assert user is not None
    return user.id, user.language_code


async def sender_locale(update: Update, context: BotContext) -> Locale:
    """The sender's locale: their stored choice, else their Telegram app's language."""
    telegram_id, language_code = sender(update)
    return await context.checklist.locale(telegram_id=telegram_id, language_code=language_code)


async def reply_entry(update: Update, context: BotContext, key: str) -> None:
    """Answer with one catalog entry in the sender's language."""
    locale = await sender_locale(update, context)
    message = update.effective_message
    assert message is not None
    await message.reply_html(context.renderer.markup(locale, key))


async def refuse_invalid_button(update: Update, context: BotContext) -> None:
    """Answer a press whose callback data is malformed: say the button is not valid."""
    query = update.callback_query
    assert query is not None
    locale = await sender_locale(update, context)
    await query.answer(context.renderer.text(locale, "invalid_button"), show_alert=True)
