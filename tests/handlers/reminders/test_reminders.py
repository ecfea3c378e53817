"""Reminders end to end: one per unfinished checklist, in the person's language, not to the blocked.

The job function is driven directly with an explicit clock (`now` hours ahead); one test runs the
real JobQueue.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest
import yaml
from pydantic import ValidationError

from bot.emulator import BotApiEmulator, EmulatedUser
from bot.settings import load_settings
from handlers import callbacks
from handlers.i18n import Renderer
from handlers.reminders.service import Reminder
from handlers.reminders.telegram import ReminderRun, render_reminder, send_due_reminders
from knowledge import KnowledgeBase, Locale, QuestionSet
from storage.respondents import get_respondent
from tests.auxil.flows import answer_questions, cancel, fill_profile, question_set_button, restart
from tests.auxil.harness import RunningBot, bot_settings, start_bot

CONTINUE = {"fa": "ادامه چک‌لیست", "en": "Continue the checklist"}
AT_QUESTION_FOUR = {"fa": "به پرسش ۴ از ۱۶ رسیده بودید", "en": "You had reached question 4 of 16"}
AT_PROFILE = {"fa": "مشخصات سازمان شما هنوز کامل نشده است", "en": "profile is not finished yet"}


async def run_job(bot: RunningBot, *, hours: float = 25) -> ReminderRun:
    """One run of the reminder job with the clock `hours` ahead of now."""
    services = bot.runtime.services
    assert services.reminders is not None
    return await send_due_reminders(
        bot=bot.application.bot,
        reminders=services.reminders,
        renderer=services.renderer,
        now=datetime.now(UTC) + timedelta(hours=hours),
    )


async def stop_at_question_four(user: EmulatedUser, kb: KnowledgeBase, locale: Locale) -> None:
    """Start the core checklist, answer three questions, and walk away."""
    await user.send("/start")
    await fill_profile(user, kb, locale)
    await user.press(question_set_button(user, QuestionSet.CORE))
    await answer_questions(user, kb, locale, [4, 3, 1])


def reminders_in(user: EmulatedUser, locale: Locale) -> list[str]:
    """The text of every reminder in the user's chat."""
    return [m.text or "" for m in user.bot_messages if CONTINUE[locale] in m.button_texts]


def sends_to(emulator: BotApiEmulator, user: EmulatedUser) -> int:
    """How many sendMessage calls the bot made to this user's chat."""
    return sum(
        1
        for call in emulator.calls_to("sendMessage")
        if str(call.params["chat_id"]) == str(user.id)
    )


@pytest.mark.parametrize(("locale", "user_id"), [("fa", 6001), ("en", 6002)])
async def test_an_unfinished_checklist_gets_one_reminder_in_its_language(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    locale: Locale,
    user_id: int,
) -> None:
    user = emulator.user(user_id, language_code=locale)
    await stop_at_question_four(user, shipped_kb, locale)

    assert await run_job(bot) == ReminderRun(sent=1)
    assert await run_job(bot) == ReminderRun()
    assert await run_job(bot, hours=24 * 30) == ReminderRun()

    (reminder,) = reminders_in(user, locale)
    assert AT_QUESTION_FOUR[locale] in reminder
    assert "/start" in reminder


async def test_no_reminder_before_the_delay(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(6101, language_code="en")
    await stop_at_question_four(user, shipped_kb, "en")

    assert await run_job(bot, hours=23) == ReminderRun()
    assert reminders_in(user, "en") == []
    assert await run_job(bot, hours=25) == ReminderRun(sent=1)


async def test_no_reminder_for_completed_or_cancelled_checklists(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    finished = emulator.user(6201, language_code="fa")
    await stop_at_question_four(finished, shipped_kb, "fa")
    await answer_questions(finished, shipped_kb, "fa", [2] * 13)
    cancelled = emulator.user(6202, language_code="en")
    await stop_at_question_four(cancelled, shipped_kb, "en")
    await cancel(cancelled)

    assert await run_job(bot, hours=24 * 365) == ReminderRun()
    assert reminders_in(finished, "fa") == reminders_in(cancelled, "en") == []


async def test_a_user_who_blocked_the_bot_is_marked_and_never_retried(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(6301, language_code="fa")
    await stop_at_question_four(user, shipped_kb, "fa")
    user.block()
    before = sends_to(emulator, user)

    assert await run_job(bot) == ReminderRun(blocked=1)
    assert [call.status for call in emulator.calls_to("sendMessage")][-1] == 403
    async with bot.runtime.session_factory() as session:
        respondent = await get_respondent(session=session, telegram_id=user.id)
    assert respondent is not None and respondent.blocked_at is not None

    assert await run_job(bot, hours=48) == ReminderRun()
    assert sends_to(emulator, user) == before + 1  # the one refused attempt, no retry

    # Writing again unblocks: the mark is cleared and a new checklist is reminded once more.
    await restart(user)
    async with bot.runtime.session_factory() as session:
        respondent = await get_respondent(session=session, telegram_id=user.id)
    assert respondent is not None and respondent.blocked_at is None
    assert await run_job(bot) == ReminderRun(sent=1)
    (reminder,) = reminders_in(user, "fa")
    assert AT_PROFILE["fa"] in reminder


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_continue_shows_the_question_where_the_user_stopped(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    user = emulator.user(6400 if locale == "fa" else 6401, language_code=locale)
    await stop_at_question_four(user, shipped_kb, locale)
    await run_job(bot)

    await user.press(CONTINUE[locale])

    fourth = shipped_kb.questions(QuestionSet.CORE)[3]
    shown = user.last_bot_message
    assert fourth.text.get(locale) in (shown.text or "")
    assert shipped_kb.scale.label(2).get(locale) in shown.button_texts
    assert user.callback_answers[-1].show_alert is False
    await answer_questions(user, shipped_kb, locale, [2])
    fifth = shipped_kb.questions(QuestionSet.CORE)[4]
    assert fifth.text.get(locale) in (user.last_bot_message.text or "")


async def test_continue_on_a_reminder_of_a_closed_checklist_says_so(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(6501, language_code="en")
    await stop_at_question_four(user, shipped_kb, "en")
    await run_job(bot)
    await restart(user)
    shown = len(user.bot_messages)

    await user.press(CONTINUE["en"])

    answer = user.callback_answers[-1]
    assert answer.show_alert and "closed" in (answer.text or "")
    assert len(user.bot_messages) == shown


async def test_a_transient_failure_is_retried_on_the_next_run(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(6601, language_code="en")
    await stop_at_question_four(user, shipped_kb, "en")
    # However often the bot's own retries try it, this run gets nothing but 502.
    fault = emulator.inject_fault(method="sendMessage", status=502, times=None)

    assert await run_job(bot) == ReminderRun(released=1)
    assert reminders_in(user, "en") == []
    fault.times = fault.hits  # the Bot API is back
    assert await run_job(bot) == ReminderRun(sent=1)
    assert await run_job(bot) == ReminderRun()
    assert len(reminders_in(user, "en")) == 1


async def test_a_permanent_failure_keeps_the_claim(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(6701, language_code="en")
    await stop_at_question_four(user, shipped_kb, "en")
    emulator.inject_fault(
        method="sendMessage", status=400, description="Bad Request: chat not found"
    )

    assert await run_job(bot) == ReminderRun(failed=1)
    assert await run_job(bot) == ReminderRun()
    assert reminders_in(user, "en") == []


def test_both_catalogs_have_the_same_reminder_texts() -> None:
    root = resources.files("handlers.reminders") / "locales"
    keys = {
        locale: set(yaml.safe_load((root / locale / "reminders.yaml").read_text("utf-8")))
        for locale in ("fa", "en")
    }
    assert keys["fa"] == keys["en"]


@pytest.mark.parametrize("locale", ["fa", "en"])
@pytest.mark.parametrize(("number", "total"), [(4, 16), (None, None)])
def test_the_reminder_renders_at_a_question_and_in_the_profile(
    locale: Locale, number: int | None, total: int | None
) -> None:
    reminder = Reminder(7, 6901, locale, datetime.now(UTC), number=number, total=total)
    text, keyboard = render_reminder(Renderer(), reminder)

    expected = AT_QUESTION_FOUR if number is not None else AT_PROFILE
    assert expected[locale] in text
    ((button,),) = keyboard.inline_keyboard
    assert (button.text, button.callback_data) == (CONTINUE[locale], "rem:7")
    if locale == "fa":  # every line opens with Persian, so clients lay it out right to left
        lines = [re.sub(r"<[^>]+>", "", line) for line in text.splitlines() if line]
        assert all("\u0600" <= line[0] <= "\u06ff" for line in lines), lines


def test_the_delay_and_interval_come_from_the_environment() -> None:
    settings = load_settings(
        {"REMINDER_DELAY_HOURS": "2.5", "REMINDER_INTERVAL_SECONDS": "60"}, env_file=None
    )
    assert (settings.reminder_delay_hours, settings.reminder_interval_seconds) == (2.5, 60.0)
    assert load_settings({}, env_file=None).reminder_delay_hours == 24
    with pytest.raises(ValidationError):
        load_settings({"REMINDER_INTERVAL_SECONDS": "0"}, env_file=None)
    with pytest.raises(ValidationError):
        load_settings({"REMINDER_DELAY_HOURS": "-1"}, env_file=None)


def test_continue_callback_data_round_trips() -> None:
    data = callbacks.encode(callbacks.ContinueChecklist(123456789012))
    assert data == "rem:123456789012"
    assert callbacks.decode(data) == callbacks.ContinueChecklist(123456789012)
    assert callbacks.decode("rem:0") is None
    assert callbacks.decode("rem:abc") is None


async def test_the_job_queue_sends_reminders_by_itself(
    emulator: BotApiEmulator, emulator_url: str, database_url: str, shipped_kb: KnowledgeBase
) -> None:
    settings = bot_settings(
        emulator,
        emulator_url,
        database_url,
        reminder_delay_hours=0,
        reminder_interval_seconds=0.05,
    )
    running = await start_bot(emulator, settings)
    try:
        user = emulator.user(6801, language_code="fa")
        await user.send("/start")
        await running.application.start()
        try:
            async with asyncio.timeout(30):
                while not reminders_in(user, "fa"):
                    await emulator.wait_idle()
                    await asyncio.sleep(settings.reminder_interval_seconds)
        finally:
            await running.application.stop()
    finally:
        await running.stop()

    (reminder,) = reminders_in(user, "fa")
    assert AT_PROFILE["fa"] in reminder
