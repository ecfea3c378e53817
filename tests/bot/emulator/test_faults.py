"""Fault injection: 429 with retry_after, 5xx, delays and dropped connections."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter
from telegram.ext import AIORateLimiter, ExtBot

from bot.emulator import BotApiEmulator, EmulatedUser
from tests.bot.emulator.support import RawApi, build_application

# PTB 22 warns when its own code reads RetryAfter.retry_after as an int.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def sara(emu: BotApiEmulator) -> EmulatedUser:
    """A user who has started the bot."""
    user = emu.user(1001, first_name="Sara")
    await user.send("/start")
    return user


@pytest.fixture
async def ptb_bot(emu: BotApiEmulator, emu_url: str) -> AsyncIterator[Bot]:
    """A plain PTB Bot pointed at the emulator."""
    async with Bot(emu.token, base_url=f"{emu_url}/bot") as bot:
        yield bot


async def test_429_then_success(
    emu: BotApiEmulator, raw: RawApi, ptb_bot: Bot, sara: EmulatedUser
) -> None:
    emu.inject_fault(method="sendMessage", status=429, retry_after=1, times=1)
    with pytest.raises(RetryAfter) as caught:
        await ptb_bot.send_message(sara.id, "hi")
    assert "Retry in 1 seconds" in str(caught.value)
    assert sara.bot_messages == []  # a faulted call has no effect
    assert emu.calls[-1].status == 429
    sent = await ptb_bot.send_message(sara.id, "hi")
    assert sent.text == "hi"
    assert [m.text for m in sara.bot_messages] == ["hi"]

    emu.inject_fault(method="sendmessage", status=429, retry_after=3)
    status, body = await raw.call("sendMessage", chat_id=sara.id, text="x")
    assert (status, body) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 3",
            "parameters": {"retry_after": 3},
        },
    )


async def test_rate_limiter_retries_after_429(
    emu: BotApiEmulator, emu_url: str, sara: EmulatedUser
) -> None:
    emu.inject_fault(method="sendMessage", status=429, retry_after=1)
    bot = ExtBot(emu.token, base_url=f"{emu_url}/bot", rate_limiter=AIORateLimiter(max_retries=1))
    async with bot:
        started = time.monotonic()
        await bot.send_message(sara.id, "patient")
        assert time.monotonic() - started >= 0.9
    assert [c.status for c in emu.calls_to("sendMessage")] == [429, 200]
    assert [m.text for m in sara.bot_messages] == ["patient"]


async def test_5xx_for_any_method(
    emu: BotApiEmulator, raw: RawApi, ptb_bot: Bot, sara: EmulatedUser
) -> None:
    emu.inject_fault(status=502, times=2)
    assert len(emu.faults) == 1
    status, body = await raw.call("sendMessage", chat_id=sara.id, text="x")
    assert (status, body) == (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await ptb_bot.get_me()
    assert len(emu.faults) == 0
    emu.inject_fault(status=500)
    status, body = await raw.call("getMe")
    assert (status, body["description"]) == (500, "Internal Server Error")
    status, _ = await raw.call("getMe")
    assert status == 200
    assert sara.bot_messages == []


async def test_delay_and_drop(
    emu: BotApiEmulator, raw: RawApi, ptb_bot: Bot, sara: EmulatedUser
) -> None:
    emu.inject_fault(delay=0.3, times=1)
    started = time.monotonic()
    status, _ = await raw.call("sendMessage", chat_id=sara.id, text="slow")
    assert status == 200 and time.monotonic() - started >= 0.3
    assert [m.text for m in sara.bot_messages] == ["slow"]

    emu.inject_fault(method="sendMessage", drop=True)
    with pytest.raises(NetworkError):
        await ptb_bot.send_message(sara.id, "dropped")
    assert [m.text for m in sara.bot_messages] == ["slow"]
    assert emu.calls_to("sendMessage")[-1].status == 0

    emu.inject_fault(method="getMe", drop=True)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        async with raw.session.post(f"{raw.url}/bot{raw.token}/getMe") as response:
            await response.read()


async def test_polling_survives_get_updates_faults(emu: BotApiEmulator, emu_url: str) -> None:
    application = build_application(emu, emu_url, polling=True)
    user = emu.user(1001, first_name="Sara")
    emu.inject_fault(method="getUpdates", status=502, times=1)
    emu.inject_fault(method="sendMessage", delay=0.2)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=5)
        try:
            await user.send("/start x")
            await emu.wait_idle(timeout=10)
        finally:
            await application.updater.stop()
            await application.stop()
    assert user.last_bot_message.text == "سلام Sara! x"
    assert 502 in [c.status for c in emu.calls_to("getUpdates")]


def test_fault_validation() -> None:
    emu = BotApiEmulator()
    with pytest.raises(ValueError):
        emu.inject_fault(method="sendMessage")
    with pytest.raises(ValueError):
        emu.inject_fault(status=200)
    forever = emu.inject_fault(status=500, times=None)
    for _ in range(5):
        assert emu.faults.take("getMe") is forever
    emu.faults.clear()
    assert emu.faults.take("getMe") is None
