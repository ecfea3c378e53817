"""Telegram handlers for the interview's buttons and typed replies: answers, back, refine."""

from __future__ import annotations

from telegram import CallbackQuery, Update

from handlers import callbacks
from handlers.checklist.messages import REFUSAL_KEYS, show_step
from handlers.checklist.steps import Step
from handlers.context import BotContext
from handlers.evidence import telegram as evidence
from handlers.updates import refuse_invalid_button, sender
from knowledge import (
    AnswerQuestion,
    AskProfile,
    ChooseQuestionSet,
    Event,
    GoBack,
    QuestionSet,
    SetProfile,
)

__all__ = ["button_pressed", "refine_pressed", "text_received"]


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
    if not await _answered(query, context, step):
        return
    await show_step(update, context, step, edit=True)


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
    if not await _answered(query, context, step):
        return
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
    await show_step(update, context, step, lead=lead)


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
        await show_step(update, context, step)
        return
    await show_step(update, context, step, lead=context.renderer.text(step.locale, "use_buttons"))


async def _answered(query: CallbackQuery, context: BotContext, step: Step) -> bool:
    """Answer the press: the refusal as an alert (False), else the step's notice if any."""
    if step.refusal is not None:
        await query.answer(
            context.renderer.text(step.locale, REFUSAL_KEYS[step.refusal]), show_alert=True
        )
        return False
    notice = context.renderer.text(step.locale, "notice", step.notice) if step.notice else None
    await query.answer(notice)
    return True
