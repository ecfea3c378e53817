"""The /forget confirmation: a question and two buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers import callbacks
from handlers.i18n import Renderer
from handlers.replies import Reply
from knowledge import Locale

__all__ = ["forget_question"]


def forget_question(renderer: Renderer, locale: Locale) -> Reply:
    """Ask whether to delete everything, with yes and no buttons."""
    answers = ((True, "button_yes_forget"), (False, "button_no_forget"))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    renderer.text(locale, key),
                    callback_data=callbacks.encode(callbacks.ConfirmForget(confirmed)),
                )
                for confirmed, key in answers
            ]
        ]
    )
    return Reply(renderer.markup(locale, "forget_confirm"), keyboard)
