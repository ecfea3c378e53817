"""Telegram handlers for the checklist: parse the update, call the checklist, render, send."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from handlers import callbacks
from handlers.checklist.service import Refusal, Step
from handlers.checklist.views import render_step
from handlers.context import BotContext
from handlers.evidence import telegram as evidence
from handlers.replies import Reply
from handlers.updates import refuse_invalid_button, reply_entry, sender
from knowledge import (
    AnswerQuestion,
    AskProfile,
    ChooseQuestionSet,
    Event,
    GoBack,
    Locale,
    QuestionSet,
    SetProfile,
)

__all__ = [
    "button_pressed",
    "cancel",
    "help_command",
    "language",
    "language_chosen",
    "restart",
    "results",
    "start",
    "text_received",
    "unknown_command",
]

log = logging.getLogger(__name__)
_DEEP_LINK = re.compile(r"org_([A-Za-z0-9_-]{1,32})")
_REFUSAL_KEYS = {
    Refusal.NOT_YOURS: "not_yours",
    Refusal.CLOSED: "closed_assessment",
    Refusal.NO_ACTIVE: "no_active",
    Refusal.INVALID: "invalid_button",
}


async def _send(message: Message, replies: list[Reply], *, edit: bool = False) -> None:
    """Send replies in order; with `edit`, the first one replaces `message` in place."""
    for index, reply in enumerate(replies):
        if edit and index == 0:
            try:
                await message.edit_text(reply.text, reply_markup=reply.keyboard)
            except BadRequest as exc:  # a repeated press shows what is already there
                if "not modified" not in str(exc).lower():
                    raise
            continue
        await message.chat.send_message(reply.text, reply_markup=reply.keyboard)


async def _show(
    update: Update, context: BotContext, step: Step, *, lead: str | None = None, edit: bool = False
) -> None:
    message = update.effective_message
    assert message is not None
    if lead is not None:
        await message.chat.send_message(lead)
    await _send(message, render_step(context.renderer, step), edit=edit)


async def start(update: Update, context: BotContext) -> None:
    """Start a new checklist or resume the one in progress (deep link: org_<code>)."""
    telegram_id, language_code = sender(update)
    match = _DEEP_LINK.fullmatch(context.args[0]) if context.args else None
    step = await context.checklist.start(
        telegram_id=telegram_id,
        language_code=language_code,
        org_code=match.group(1) if match else None,
    )
    template = "welcome_back" if step.resumed else None
    lead = (
        context.renderer.render(step.locale, "welcome.html")
        if template is None
        else context.renderer.text(step.locale, template)
    )
    await _show(update, context, step, lead=lead)


async def restart(update: Update, context: BotContext) -> None:
    """Close the assessment in progress and start a new one."""
    telegram_id, language_code = sender(update)
    step = await context.checklist.start(
        telegram_id=telegram_id, language_code=language_code, restart=True
    )
    await _show(update, context, step, lead=context.renderer.text(step.locale, "restarted"))


async def results(update: Update, context: BotContext) -> None:
    """Show the latest completed results again."""
    telegram_id, language_code = sender(update)
    step = await context.checklist.latest_results(
        telegram_id=telegram_id, language_code=language_code
    )
    message = update.effective_message
    assert message is not None
    if step.results is None:
        await message.reply_html(context.renderer.markup(step.locale, "no_results"))
        return
    await _show(update, context, step)


async def cancel(update: Update, context: BotContext) -> None:
    """Cancel the assessment in progress."""
    telegram_id, language_code = sender(update)
    locale, cancelled = await context.checklist.cancel(
        telegram_id=telegram_id, language_code=language_code
    )
    key = "cancelled" if cancelled else "nothing_to_cancel"
    message = update.effective_message
    assert message is not None
    await message.reply_html(context.renderer.markup(locale, key))


async def help_command(update: Update, context: BotContext) -> None:
    """Explain what the bot does and list the commands."""
    await reply_entry(update, context, "help_text")


async def unknown_command(update: Update, context: BotContext) -> None:
    """Answer a command the bot does not know."""
    await reply_entry(update, context, "unknown_command")


async def language(update: Update, context: BotContext) -> None:
    """Offer the two languages as buttons."""
    telegram_id, language_code = sender(update)
    locale = await context.checklist.locale(telegram_id=telegram_id, language_code=language_code)
    names = {code: context.renderer.text(code, "language_name") for code in ("fa", "en")}
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    names[code], callback_data=callbacks.encode(callbacks.ChooseLanguage(code))
                )
                for code in ("fa", "en")
            ]
        ]
    )
    message = update.effective_message
    assert message is not None
    await message.reply_html(
        context.renderer.markup(locale, "language_prompt"), reply_markup=keyboard
    )


async def language_chosen(update: Update, context: BotContext) -> None:
    """Remember the chosen language and show the checklist where it was, in that language."""
    query = update.callback_query
    assert query is not None
    choice = callbacks.decode(query.data)
    telegram_id, language_code = sender(update)
    if not isinstance(choice, callbacks.ChooseLanguage):  # "lang:" with a forged tail
        await refuse_invalid_button(update, context)
        return
    locale: Locale = "fa" if choice.language == "fa" else "en"
    await context.checklist.set_language(telegram_id=telegram_id, language=locale)
    await query.answer()
    await query.edit_message_text(context.renderer.text(locale, "language_set"))
    step = await context.checklist.current(telegram_id=telegram_id, language_code=language_code)
    if step.refusal is None:
        await _show(update, context, step)


def _event(data: callbacks.Callback | None) -> tuple[int, Event, int | None] | None:
    """A checklist button's assessment, the interview event, and where a Back was shown."""
    match data:
        case callbacks.ChooseProfile(assessment_id, field, key):
            return assessment_id, SetProfile(field, key), None
        case callbacks.ChooseQuestionSet(assessment_id, question_set):
            return assessment_id, ChooseQuestionSet(QuestionSet(question_set)), None
        case callbacks.Answer(assessment_id, question_id, value):
            return assessment_id, AnswerQuestion(question_id, value), None
        case callbacks.Back(assessment_id, position):
            return assessment_id, GoBack(), position
    return None


async def button_pressed(update: Update, context: BotContext) -> None:
    """Apply a checklist button (profile, question set, answer, back) and show the next step."""
    query = update.callback_query
    assert query is not None
    pressed = _event(callbacks.decode(query.data))
    telegram_id, language_code = sender(update)
    if pressed is None:
        locale = await context.checklist.locale(
            telegram_id=telegram_id, language_code=language_code
        )
        await query.answer(context.renderer.text(locale, "invalid_button"), show_alert=True)
        return
    assessment_id, event, position = pressed
    step = await context.checklist.handle(
        telegram_id=telegram_id,
        language_code=language_code,
        event=event,
        assessment_id=assessment_id,
        at_position=position,
    )
    if step.refusal is not None:
        await query.answer(
            context.renderer.text(step.locale, _REFUSAL_KEYS[step.refusal]), show_alert=True
        )
        return
    notice = context.renderer.text(step.locale, "notice", step.notice) if step.notice else None
    await query.answer(notice)
    await _show(update, context, step, edit=True)


async def text_received(update: Update, context: BotContext) -> None:
    """Take a message as the organisation's name where one is asked; a question where none is
    pending (or after a bare /ask); else point to the buttons."""
    message = update.effective_message
    assert message is not None
    telegram_id, language_code = sender(update)
    asked = context.user_data is not None and context.user_data.get(evidence.ASK_PENDING)
    if asked and message.text:
        await evidence.answer_question(update, context, message.text)
        return
    step = await context.checklist.current(telegram_id=telegram_id, language_code=language_code)
    if step.refusal is not None:
        if message.text and message.text.strip():  # no question pending: a question to us
            await evidence.answer_question(update, context, message.text)
            return
        await message.reply_html(context.renderer.markup(step.locale, "no_active"))
        return
    if isinstance(step.view, AskProfile) and step.view.options is None:
        # A photo or a file has no text: the interview asks for the name again.
        step = await context.checklist.handle(
            telegram_id=telegram_id,
            language_code=language_code,
            event=SetProfile(step.view.field, message.text or ""),
        )
        await _show(update, context, step)
        return
    await _show(update, context, step, lead=context.renderer.text(step.locale, "use_buttons"))
