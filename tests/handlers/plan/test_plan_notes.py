"""The note after a blocking reason is expected in the database, not in one replica's memory:
taken by another replica or after a restart, and only the one next text."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.emulator import BotApiEmulator, EmulatedUser
from bot.settings import Settings
from handlers import callbacks
from knowledge import KnowledgeBase
from tests.auxil.harness import RunningBot, start_bot
from tests.handlers.plan.test_plan import (
    BLOCKED,
    NO_BUDGET,
    check_ins,
    commit_first_month,
    complete_checklist,
    local,
    plan_rows,
    run_job,
)

NOTE = "Waiting for the budget office"
KEPT = "Your note is kept with the step"


def deliver_to(emulator: BotApiEmulator, bot: RunningBot) -> None:
    """Hand the updates that follow to `bot`'s Application (one replica of several)."""
    application = bot.application

    async def process(data: dict[str, Any]) -> None:
        await application.process_update(Update.de_json(data, application.bot))

    emulator.deliver = process


async def blocked_for_budget(user: EmulatedUser) -> None:
    first = next(m for m in user.bot_messages if m.text and m.text in check_ins(user, "en"))
    data = next(data for text, data in first.buttons[1] if text == BLOCKED["en"])
    assert data is not None
    await user.press_data(data, first.message_id)
    await user.press(NO_BUDGET["en"])


async def notes(bot: RunningBot) -> list[str]:
    return [r.blocked_note for r in await plan_rows(bot) if r.blocked_note]


async def test_a_note_sent_to_another_replica_or_after_a_restart_is_taken_once(
    emulator: BotApiEmulator, bot: RunningBot, settings: Settings, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(18700, language_code="en")
    await complete_checklist(user, shipped_kb, "en")
    await commit_first_month(user, "en")
    assert (await run_job(bot, local("en", 31, 10))).sent == 1
    second = await start_bot(emulator, settings)
    try:
        deliver_to(emulator, bot)
        await blocked_for_budget(user)  # replica one shows the reasons and takes the reason
        deliver_to(emulator, second)
        await user.send(NOTE)  # replica two receives the note
        assert KEPT in (user.last_bot_message.text or "")
        assert await notes(bot) == [NOTE]
        deliver_to(emulator, bot)
        await user.send("a later message")  # only the one next text is a note, on any replica
        assert await notes(bot) == [NOTE]
        assert KEPT not in (user.last_bot_message.text or "")

        # Again, across a restart: the reason before it (the same button, pressed again)...
        (blocked,) = [r for r in await plan_rows(bot) if r.status == "blocked"]
        assert blocked.id is not None
        why = next(m for m in user.bot_messages if m.text and "What blocks" in m.text)
        reason = callbacks.encode(callbacks.CheckInReason(blocked.id, "staff"))
        await user.press_data(reason, why.message_id)
        await bot.stop()
        restarted = await start_bot(emulator, settings)
        try:
            await user.send("After the restart")  # ... the note after it
            assert KEPT in (user.last_bot_message.text or "")
            assert await notes(restarted) == ["After the restart"]
        finally:
            await restarted.stop()
    finally:
        await second.stop()
    bot.application, bot.runtime = second.application, second.runtime  # stopped once, by us
