"""The error handler: log first, tell the user their answers are safe, notify the admins."""

from __future__ import annotations

import contextlib
import html
import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from handlers.context import BotContext
from handlers.i18n import locale_for

__all__ = ["error_occurred"]

log = logging.getLogger(__name__)


async def error_occurred(update: object, context: BotContext) -> None:
    """Log the failure, then reassure the user; never raise from here."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    user = update.effective_user
    # No database call here: the database may be what failed.
    locale = locale_for(user.language_code if user else None, "fa")
    if update.callback_query is not None:
        # The handler may have answered it before failing; a second answer is refused.
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    try:
        await update.effective_chat.send_message(context.renderer.text(locale, "error_saved"))
    except Forbidden:
        log.info("user blocked the bot; no error message sent")
    except TelegramError:
        log.warning("could not tell the user about the error", exc_info=True)
    summary = html.escape(f"{type(context.error).__name__}: {context.error}")[:3000]
    for admin_id in context.services.admin_ids:
        try:
            await context.bot.send_message(
                admin_id, f"<b>Pishran error</b>\n<code>{summary}</code>"
            )
        except TelegramError:
            log.warning("could not notify admin", exc_info=True)
