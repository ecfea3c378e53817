"""wait_idle: calls in progress and updates being handled keep the emulator busy."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.emulator import BotApiEmulator


async def test_a_call_in_progress_keeps_the_emulator_busy(emu: BotApiEmulator) -> None:
    ticket = emu.request_started("sendMessage")
    with pytest.raises(TimeoutError, match=r"in progress: \['sendMessage'\]"):
        await emu.wait_idle(timeout=0.2)
    emu.request_finished(ticket)
    await emu.wait_idle(timeout=1)


async def test_a_long_poll_is_not_activity(emu: BotApiEmulator) -> None:
    emu.request_started("getUpdates")  # a bot waiting for updates is idle
    await emu.wait_idle(timeout=1)


async def test_an_update_being_handled_keeps_the_emulator_busy(emu: BotApiEmulator) -> None:
    release = asyncio.Event()

    async def slow_bot(update: dict[str, Any]) -> None:
        await release.wait()

    emu.deliver = slow_bot
    sending = asyncio.create_task(emu.user(7, first_name="Sara").send("hello"))
    with pytest.raises(TimeoutError, match=r"1 update\(s\) still being handled by emu.deliver"):
        await emu.wait_idle(timeout=0.2)
    release.set()
    update = await sending
    assert update["message"]["text"] == "hello"
    await emu.wait_idle(timeout=1)
