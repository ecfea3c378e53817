"""Telegram handlers for the checklist: parse the update, call the checklist, render, send."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from handlers import callbacks
from handlers.checklist.service import Cancelled, Refusal, Step
from handlers.checklist.views import render_step
from handlers.context import BotContext
from handlers.evidence import telegram as evidence
from handlers.i18n import Renderer
from handlers.replies import Reply
from handlers.updates import refuse_invalid_button, reply_entry, sender
from knowledge import (
    AnswerQuestion,
    AskProfile,
    AskQuestionSet,
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
    "choice_pressed",
    "help_command",
    "language",
    "language_chosen",
    "refine_pressed",
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
    Refusal.OUTDATED: "refine_outdated",
    Refusal.BUSY: "refine_busy",
    Refusal.REFINED: "refine_done",
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


def _choice(
    renderer: Renderer, locale: Locale, key: str, action: str, assessment_id: int
) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        renderer.text(locale, key),
        callback_data=callbacks.encode(callbacks.ChecklistChoice(action, assessment_id)),
    )


async def start(update: Update, context: BotContext) -> None:
    """Start a new checklist or resume the one in progress (deep link: org_<code>); after a
    finished one, offer to keep its profile."""
    telegram_id, language_code = sender(update)
    message = update.effective_message
    assert message is not None
    match = _DEEP_LINK.fullmatch(context.args[0]) if context.args else None
    renderer = context.renderer
    if match is None:
        locale, done, profile = await context.checklist.previous_profile(
            telegram_id=telegram_id, language_code=language_code
        )
        if done is not None:
            keyboard = InlineKeyboardMarkup(
                [
                    [
                        _choice(renderer, locale, "button_keep_profile", "keep", done),
                        _choice(renderer, locale, "button_new_profile", "fresh", done),
                    ]
                ]
            )
            organisation = profile.get("organisation") or "—"
            await message.reply_html(
                renderer.markup(locale, "keep_profile_prompt", organisation=organisation),
                reply_markup=keyboard,
            )
            return
    step = await context.checklist.start(
        telegram_id=telegram_id,
        language_code=language_code,
        org_code=match.group(1) if match else None,
    )
    lead = (
        renderer.text(step.locale, "welcome_back")
        if step.resumed
        else renderer.render(step.locale, "welcome.html")
    )
    await message.chat.send_message(lead)
    await _deep_link_notice(update, context, step)
    await _show(update, context, step)


async def _deep_link_notice(update: Update, context: BotContext, step: Step) -> None:
    """Name the organisation a deep link set (with a button to change it), or say the code
    was unknown."""
    message = update.effective_message
    assert message is not None
    renderer = context.renderer
    if step.unknown_code:
        await message.chat.send_message(renderer.markup(step.locale, "org_unknown"))
    elif step.organisation and step.assessment_id is not None:
        open_profile = isinstance(step.view, AskProfile | AskQuestionSet)
        keyboard = (
            InlineKeyboardMarkup(
                [[_choice(renderer, step.locale, "button_change_org", "org", step.assessment_id)]]
            )
            if open_profile
            else None
        )
        await message.chat.send_message(
            renderer.markup(step.locale, "org_confirmed", name=step.organisation),
            reply_markup=keyboard,
        )


async def _confirm(update: Update, context: BotContext, action: str, prompt: str, yes: str) -> bool:
    """Ask before discarding an assessment in progress; False when there is none."""
    telegram_id, language_code = sender(update)
    step = await context.checklist.current(telegram_id=telegram_id, language_code=language_code)
    # A refinement is not asked about: stopping it keeps the results it would sharpen.
    if step.refusal is not None or step.assessment_id is None or step.refinement is not None:
        return False
    renderer, locale = context.renderer, step.locale
    keyboard = InlineKeyboardMarkup(
        [
            [
                _choice(renderer, locale, yes, action, step.assessment_id),
                _choice(renderer, locale, "button_stay", "stay", step.assessment_id),
            ]
        ]
    )
    message = update.effective_message
    assert message is not None
    await message.reply_html(renderer.markup(locale, prompt), reply_markup=keyboard)
    return True


async def restart(update: Update, context: BotContext) -> None:
    """Start a new assessment; one in progress is discarded only once confirmed."""
    if await _confirm(update, context, "restart", "confirm_restart", "button_confirm_restart"):
        return
    telegram_id, language_code = sender(update)
    step = await context.checklist.start(
        telegram_id=telegram_id, language_code=language_code, restart=True
    )
    await _show(update, context, step, lead=context.renderer.text(step.locale, "restarted"))


async def choice_pressed(update: Update, context: BotContext) -> None:
    """Apply a confirmation: discard or keep the assessment in progress, keep the previous
    profile or not, change a deep link's organisation."""
    query = update.callback_query
    assert query is not None and query.message is not None
    pressed = callbacks.decode(query.data)
    telegram_id, language_code = sender(update)
    if not isinstance(pressed, callbacks.ChecklistChoice):
        await refuse_invalid_button(update, context)
        return
    checklist, renderer = context.checklist, context.renderer
    action, assessment_id = pressed.action, pressed.assessment_id
    current = await checklist.current(telegram_id=telegram_id, language_code=language_code)
    locale = current.locale
    in_progress = current.refusal is None and current.assessment_id == assessment_id
    if action in ("cancel", "restart", "stay", "org") and not in_progress:
        await query.answer(renderer.text(locale, "invalid_button"), show_alert=True)
        return
    await query.answer()
    if action == "cancel":
        locale, cancelled = await checklist.cancel(
            telegram_id=telegram_id, language_code=language_code, assessment_id=assessment_id
        )
        await query.edit_message_text(
            renderer.markup(locale, "cancelled" if cancelled else "nothing_to_cancel")
        )
        return
    if action == "stay":
        await query.edit_message_text(renderer.markup(locale, "kept_going"))
        await _show(update, context, current)
        return
    if action == "org":
        await query.edit_message_reply_markup(None)
        step = await checklist.change_organisation(
            telegram_id=telegram_id, language_code=language_code, assessment_id=assessment_id
        )
        await _show(update, context, step)
        return
    await query.edit_message_reply_markup(None)
    if action == "restart":
        step = await checklist.start(
            telegram_id=telegram_id, language_code=language_code, restart=True
        )
        await _show(update, context, step, lead=renderer.text(step.locale, "restarted"))
        return
    # keep / fresh: a new assessment, with or without the completed one's profile.
    step = await checklist.start(
        telegram_id=telegram_id,
        language_code=language_code,
        profile_from=assessment_id if action == "keep" else None,
    )
    await _show(update, context, step, lead=renderer.render(step.locale, "welcome.html"))


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
    """Cancel the assessment in progress, once confirmed."""
    if await _confirm(update, context, "cancel", "confirm_cancel", "button_confirm_cancel"):
        return
    telegram_id, language_code = sender(update)
    locale, cancelled = await context.checklist.cancel(
        telegram_id=telegram_id, language_code=language_code
    )
    keys = {Cancelled.ASSESSMENT: "cancelled", Cancelled.REFINEMENT: "refine_cancelled"}
    key = keys[cancelled] if cancelled is not None else "nothing_to_cancel"
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


async def refine_pressed(update: Update, context: BotContext) -> None:
    """ "Sharper advice in three more minutes": ask the top priorities' detailed questions."""
    query = update.callback_query
    assert query is not None
    pressed = callbacks.decode(query.data)
    if not isinstance(pressed, callbacks.RefineResults):  # "rf:" with a forged tail
        await refuse_invalid_button(update, context)
        return
    telegram_id, language_code = sender(update)
    step = await context.checklist.refine(
        telegram_id=telegram_id, language_code=language_code, assessment_id=pressed.assessment_id
    )
    if step.refusal is not None:
        await query.answer(
            context.renderer.text(step.locale, _REFUSAL_KEYS[step.refusal]), show_alert=True
        )
        return
    notice = context.renderer.text(step.locale, "notice", step.notice) if step.notice else None
    await query.answer(notice)
    lead = None
    if step.refinement is not None and step.notice is None:
        titles = [
            step.kb.subfactor(key).title.get(step.locale) for key in step.refinement.subfactor_keys
        ]
        separator = context.renderer.text(step.locale, "list_separator")
        lead = context.renderer.markup(
            step.locale,
            "refine_intro",
            count=step.refinement.total,
            subfactors=separator.join(titles),
        )
    # A new message: the results above stay as they were until the refinement ends.
    await _show(update, context, step, lead=lead)


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
