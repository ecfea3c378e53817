"""Who may use the administrators' commands: the guard every admin handler wears."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Update

from handlers.context import BotContext
from knowledge import Locale

__all__ = ["Admin", "AdminHandler", "admin_only"]


@dataclass(frozen=True)
class Admin:
    """The administrator behind an update: an audit actor (no raw id) and their locale."""

    actor: str
    locale: Locale


AdminHandler = Callable[[Update, BotContext, Admin], Coroutine[Any, Any, None]]
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def admin_only(attempted: str) -> Callable[[AdminHandler], Handler]:
    """Run the handler for admins; refuse (localised) and audit everyone else."""

    def decorate(handler: AdminHandler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: BotContext) -> None:
            user = update.effective_user
            assert user is not None
            locale = await context.checklist.locale(
                telegram_id=user.id, language_code=user.language_code
            )
            actor = context.services.audit.actor_for(user.id)
            if user.id in context.services.admin_ids:
                await handler(update, context, Admin(actor, locale))
                return
            await context.services.audit.record(
                actor=actor, action="admin.denied", detail={"attempted": attempted}
            )
            renderer = context.renderer
            if update.callback_query is not None:
                text = renderer.text(locale, "admin_only_button")
                await update.callback_query.answer(text, show_alert=True)
            else:
                await _reply(update, renderer.markup(locale, "admin_only"))

        return guarded

    return decorate


async def _reply(update: Update, text: str) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_html(text)
