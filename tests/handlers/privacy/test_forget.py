"""/forget deletes everything about the person who asks, after confirmation."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.emulator import BotApiEmulator
from knowledge import KnowledgeBase
from storage.models import Assessment, Respondent
from tests.auxil.flows import fill_profile
from tests.auxil.harness import RunningBot


async def count(bot: RunningBot, statement: object) -> int:
    async with bot.runtime.session_factory() as session:
        return int(await session.scalar(statement))  # type: ignore[call-overload]


async def test_forget_deletes_everything_after_confirmation(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(2401, language_code="en")
    other = emulator.user(2402, language_code="en")
    for someone in (user, other):
        await someone.send("/start")
        await fill_profile(someone, shipped_kb, "en")
    await user.send("/forget")
    await user.press("No, keep it")
    assert await count(bot, select(func.count()).select_from(Respondent)) == 2
    await user.send("/forget")
    await user.press("Yes, delete my data")
    assert "deleted" in (user.last_bot_message.text or "")
    async with bot.runtime.session_factory() as session:
        ids = set(await session.scalars(select(Respondent.telegram_id)))
    assert ids == {2402}
    assert await count(bot, select(func.count()).select_from(Assessment)) == 1
