"""Telegram handlers for the checklist's commands and confirmations: /start, /restart, /cancel,
/results, /language, /help (the interview's buttons are in buttons.py)."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers import callbacks
from handlers.checklist.messages import choice_button, show_step
from handlers.checklist.service import Cancelled, Step
from handlers.context import BotContext
from handlers.updates import refuse_invalid_button, reply_entry, sender
from knowledge import (
    AskProfile,
    AskQuestionSet,
    Locale,
)

__all__ = [
    "cancel",
    "choice_pressed",
    "help_command",
    "language",
    "language_chosen",
    "restart",
    "results",
    "start",
    "unknown_command",
]

log = logging.getLogger(__name__)
_DEEP_LINK = re.compile(r"org_([A-Za-z0-9_-]{1,32})")


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
                        choice_button(renderer, locale, "button_keep_profile", "keep", done),
                        choice_button(renderer, locale, "button_new_profile", "fresh", done),
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
    await show_step(update, context, step)


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
        change = choice_button(
            renderer, step.locale, "button_change_org", "org", step.assessment_id
        )
        keyboard = InlineKeyboardMarkup([[change]]) if open_profile else None
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
                choice_button(renderer, locale, yes, action, step.assessment_id),
                choice_button(renderer, locale, "button_stay", "stay", step.assessment_id),
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
    await show_step(update, context, step, lead=context.renderer.text(step.locale, "restarted"))


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
        await show_step(update, context, current)
        return
    if action == "org":
        await query.edit_message_reply_markup(None)
        step = await checklist.change_organisation(
            telegram_id=telegram_id, language_code=language_code, assessment_id=assessment_id
        )
        await show_step(update, context, step)
        return
    await query.edit_message_reply_markup(None)
    if action == "restart":
        step = await checklist.start(
            telegram_id=telegram_id, language_code=language_code, restart=True
        )
        await show_step(update, context, step, lead=renderer.text(step.locale, "restarted"))
        return
    # keep / fresh: a new assessment, with or without the completed one's profile.
    step = await checklist.start(
        telegram_id=telegram_id,
        language_code=language_code,
        profile_from=assessment_id if action == "keep" else None,
    )
    await show_step(update, context, step, lead=renderer.render(step.locale, "welcome.html"))


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
    await show_step(update, context, step)


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
        await show_step(update, context, step)
