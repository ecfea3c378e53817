"""Telegram handlers for the evidence browser (/evidence and its buttons) and /ask."""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest

from handlers import callbacks
from handlers.context import BotContext
from handlers.evidence.views import (
    Screen,
    answer_screen,
    factors_screen,
    opens_new_message,
    screen_for,
    under_results,
)
from handlers.updates import sender
from knowledge import KnowledgeBase, Locale

__all__ = ["ask", "evidence", "evidence_pressed"]


async def _source(
    update: Update, context: BotContext, *, of_results: bool = False
) -> tuple[Locale, int, KnowledgeBase]:
    """The presser's locale, and the KB revision (and KB) whose evidence to show."""
    telegram_id, language_code = sender(update)
    locale, revision = await context.checklist.evidence_revision(
        telegram_id=telegram_id, language_code=language_code, of_results=of_results
    )
    return locale, revision, await context.services.knowledge.revision(revision)


async def _reply(update: Update, screen: Screen) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_html(screen.text, reply_markup=screen.keyboard)


async def evidence(update: Update, context: BotContext) -> None:
    """Open the evidence browser at its list of factors (/evidence)."""
    locale, _, kb = await _source(update, context)
    await _reply(update, factors_screen(context.renderer, locale, kb))


async def evidence_pressed(update: Update, context: BotContext) -> None:
    """Turn the browser to the screen a button names, in place; a stale button says so."""
    query = update.callback_query
    assert query is not None and query.message is not None
    pressed = callbacks.decode(query.data)
    locale, _, kb = await _source(update, context, of_results=under_results(pressed))
    screen = None if pressed is None else screen_for(context.renderer, locale, kb, pressed)
    if screen is None:
        await query.answer(context.renderer.text(locale, "invalid_button"), show_alert=True)
        return
    await query.answer()
    if opens_new_message(pressed):
        await query.message.chat.send_message(screen.text, reply_markup=screen.keyboard)
        return
    try:
        await query.edit_message_text(screen.text, reply_markup=screen.keyboard)
    except BadRequest as exc:
        # A repeated press shows what is already there; a message too old to edit is replaced.
        if "not modified" not in str(exc).lower():
            await query.message.chat.send_message(screen.text, reply_markup=screen.keyboard)


async def ask(update: Update, context: BotContext) -> None:
    """Look a free-text question up in the evidence (/ask <question>)."""
    question = " ".join(context.args or ())
    locale, revision, kb = await _source(update, context)
    message = update.effective_message
    assert message is not None
    if not question.strip():
        await message.reply_html(context.renderer.markup(locale, "ask_usage"))
        return
    index = await context.services.knowledge.search_index(revision)
    await _reply(update, answer_screen(context.renderer, locale, kb, index.search(question)))
