"""Sending a checklist step to Telegram: the rendered replies, in order, and small buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, Message, Update
from telegram.error import BadRequest

from handlers import callbacks
from handlers.checklist.steps import Refusal, Step
from handlers.checklist.views import render_step
from handlers.context import BotContext
from handlers.i18n import Renderer
from handlers.replies import Reply, answers_unread
from knowledge import Locale

__all__ = ["REFUSAL_KEYS", "choice_button", "send_replies", "show_step"]

REFUSAL_KEYS = {
    Refusal.NOT_YOURS: "not_yours",
    Refusal.CLOSED: "closed_assessment",
    Refusal.NO_ACTIVE: "no_active",
    Refusal.INVALID: "invalid_button",
    Refusal.OUTDATED: "refine_outdated",
    Refusal.BUSY: "refine_busy",
    Refusal.REFINED: "refine_done",
}


async def send_replies(message: Message, replies: list[Reply], *, edit: bool = False) -> None:
    """Send replies in order; with `edit`, the first one replaces `message` in place.

    What the Bot API answers with (each message as sent) is not read, so it is not parsed
    either (handlers.replies.answers_unread)."""
    with answers_unread():
        for index, reply in enumerate(replies):
            if edit and index == 0:
                try:
                    await message.edit_text(reply.text, reply_markup=reply.keyboard)
                except BadRequest as exc:  # a repeated press shows what is already there
                    if "not modified" not in str(exc).lower():
                        raise
                continue
            await message.chat.send_message(reply.text, reply_markup=reply.keyboard)


async def show_step(
    update: Update, context: BotContext, step: Step, *, lead: str | None = None, edit: bool = False
) -> None:
    """Send `step` (after `lead`, when given); with `edit`, its first reply replaces the message
    the pressed button was under."""
    message = update.effective_message
    assert message is not None
    if lead is not None:
        await message.chat.send_message(lead)
    await send_replies(message, render_step(context.renderer, step), edit=edit)


def choice_button(
    renderer: Renderer, locale: Locale, key: str, action: str, assessment_id: int
) -> InlineKeyboardButton:
    """A confirmation button: `action` on `assessment_id`, labelled with catalog entry `key`."""
    return InlineKeyboardButton(
        renderer.text(locale, key),
        callback_data=callbacks.encode(callbacks.ChecklistChoice(action, assessment_id)),
    )
