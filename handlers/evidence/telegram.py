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
from handlers.replies import split_message
from handlers.updates import sender
from knowledge import KnowledgeBase, Locale

__all__ = ["ASK_PENDING", "answer_question", "ask", "evidence", "evidence_pressed"]

# In user_data after a bare /ask: the next text message is the question.
ASK_PENDING = "ask_pending"


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
    """Answer a free-text question (/ask <question>); a bare /ask waits for the question."""
    question = " ".join(context.args or ())
    if not question.strip():
        locale, _, _ = await _source(update, context)
        if context.user_data is not None:
            context.user_data[ASK_PENDING] = True
        message = update.effective_message
        assert message is not None
        await message.reply_html(context.renderer.markup(locale, "ask_usage"))
        return
    await answer_question(update, context, question)


async def answer_question(update: Update, context: BotContext, question: str) -> None:
    """Answer `question` from the advice steps first, then the studies, with citations."""
    if context.user_data is not None:
        context.user_data.pop(ASK_PENDING, None)
    locale, revision, kb = await _source(update, context)
    index = await context.services.knowledge.search_index(revision)
    screen = answer_screen(
        context.renderer, locale, kb, index.search(question), index.search_steps(question)
    )
    message = update.effective_message
    assert message is not None
    parts = split_message(screen.text)
    for number, part in enumerate(parts, start=1):
        keyboard = screen.keyboard if number == len(parts) else None
        await message.reply_html(part, reply_markup=keyboard)
