"""Telegram's bad moments: 429 flood waits, 5xx answers, slow answers. Every reply arrives once."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.emulator import BotApiEmulator, EmulatedUser
from bot.retries import RetryingRateLimiter
from bot.settings import Settings
from knowledge import KnowledgeBase, QuestionSet
from tests.auxil.flows import fill_profile, question_set_button
from tests.auxil.harness import RunningBot, bot_settings, start_bot
from tests.production.support import free_port

# PTB's own RetryAfter constructor warns about a future type change; nothing to act on here.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Deprecated since version v22.2:telegram.warnings.PTBDeprecationWarning"
)

FAULTS = {
    "429 flood wait": {"status": 429, "retry_after": 1},
    "502 bad gateway": {"status": 502},
    "500 internal error": {"status": 500},
    "503 twice": {"status": 503, "times": 2},
    "slow answers": {"delay": 1.0, "times": 2},
}


@pytest.fixture
def settings(emulator: BotApiEmulator, emulator_url: str, database_url: str) -> Settings:
    """Settings for a bot on the emulator and the test database."""
    return bot_settings(emulator, emulator_url, database_url)


@pytest.fixture
async def bot(emulator: BotApiEmulator, settings: Settings) -> AsyncIterator[RunningBot]:
    """The real bot as in production, fed directly by the emulator."""
    running = await start_bot(emulator, settings)
    yield running
    await running.stop()


def succeeded(emulator: BotApiEmulator, method: str) -> list[Any]:
    return [call for call in emulator.calls_to(method) if call.status == 200]


async def start_and_read(user: EmulatedUser) -> list[str]:
    await user.send("/start")
    return [message.text or "" for message in user.bot_messages]


@pytest.mark.parametrize("fault", list(FAULTS.values()), ids=list(FAULTS))
async def test_every_reply_arrives_once_despite_send_faults(
    emulator: BotApiEmulator, bot: RunningBot, fault: dict[str, Any]
) -> None:
    expected = await start_and_read(emulator.user(4001, first_name="Ref", language_code="en"))
    emulator.reset_calls()
    emulator.inject_fault(method="sendMessage", **fault)

    got = await start_and_read(emulator.user(4002, first_name="Ref", language_code="en"))

    assert got == expected
    sent = succeeded(emulator, "sendMessage")
    assert len(sent) == len(expected) == 2
    if "status" in fault:
        failures = [c for c in emulator.calls_to("sendMessage") if c.status == fault["status"]]
        assert len(failures) == fault.get("times", 1)


@pytest.mark.parametrize("method", ["editMessageText", "answerCallbackQuery"])
@pytest.mark.parametrize("status", [429, 502])
async def test_a_button_press_survives_faults_on_its_replies(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    method: str,
    status: int,
) -> None:
    user = emulator.user(4101, language_code="en")
    await user.send("/start")
    await fill_profile(user, shipped_kb, "en")
    answered = len(user.callback_answers)
    emulator.inject_fault(method=method, status=status, retry_after=1)

    await user.press(question_set_button(user, QuestionSet.CORE))

    assert "1/16" in (user.last_bot_message.text or "")
    assert len(user.callback_answers) == answered + 1
    assert len([c for c in emulator.calls_to(method) if c.status == status]) == 1
    assert all("went wrong" not in (m.text or "") for m in user.bot_messages)


@contextlib.asynccontextmanager
async def bare_bot(emulator: BotApiEmulator, emulator_url: str) -> AsyncIterator[ExtBot[int]]:
    """A bare PTB bot on the emulator with the retrying limiter and a quick backoff."""

    async def ignore(update: dict[str, Any]) -> None:
        """Users write first (so that the bot may answer); nobody reads their messages."""

    emulator.deliver = ignore
    bot: ExtBot[int] = ExtBot(
        emulator.token,
        base_url=f"{emulator_url}/bot",
        request=HTTPXRequest(read_timeout=0.3),
        rate_limiter=RetryingRateLimiter(backoff=0.01),
    )
    await bot.initialize()
    yield bot
    await bot.shutdown()


@pytest.fixture(name="raw_bot")
async def raw_bot_fixture(
    emulator: BotApiEmulator, emulator_url: str
) -> AsyncIterator[ExtBot[int]]:
    """The bare bot on the test emulator."""
    async with bare_bot(emulator, emulator_url) as bot:
        yield bot


async def test_retries_of_5xx_are_bounded(emulator: BotApiEmulator, raw_bot: ExtBot[int]) -> None:
    user = emulator.user(4201)
    await user.send("hi")
    emulator.inject_fault(method="sendMessage", status=502, times=None)
    with pytest.raises(NetworkError):
        await raw_bot.send_message(user.id, "hello")
    assert [c.status for c in emulator.calls_to("sendMessage")] == [502] * 4
    assert user.bot_messages == []


async def test_a_bad_request_is_not_retried(emulator: BotApiEmulator, raw_bot: ExtBot[int]) -> None:
    user = emulator.user(4301)
    await user.send("hi")
    emulator.inject_fault(method="sendMessage", status=400, description="Bad Request: nope")
    with pytest.raises(BadRequest):
        await raw_bot.send_message(user.id, "hello")
    assert [c.status for c in emulator.calls_to("sendMessage")] == [400]


async def test_a_send_that_timed_out_is_not_repeated() -> None:
    # Telegram carries on with a request whose client gave up; aiohttp's test server would
    # cancel it instead, so this emulator runs on a plain AppRunner.
    emulator = BotApiEmulator()
    runner = web.AppRunner(emulator.build_app())
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with bare_bot(emulator, f"http://127.0.0.1:{port}") as bot:
            user = emulator.user(4401)
            await user.send("hi")
            emulator.inject_fault(method="sendMessage", delay=1.0)
            # The server may have sent it: repeating it could show the message twice.
            with pytest.raises(TimedOut):
                await bot.send_message(user.id, "hello")
            await emulator.wait_idle()
            assert [m.text for m in user.bot_messages] == ["hello"]
            assert len(emulator.calls_to("sendMessage")) == 1
    finally:
        await emulator.close()
        await runner.cleanup()


async def test_a_refused_connection_is_retried_with_backoff() -> None:
    delays: list[float] = []

    async def record(delay: float) -> None:
        delays.append(delay)

    bot: ExtBot[int] = ExtBot(
        "123456:" + "A" * 35,
        base_url=f"http://127.0.0.1:{free_port()}/bot",
        rate_limiter=RetryingRateLimiter(backoff=0.1, max_backoff=0.3, sleep=record),
    )
    with pytest.raises(NetworkError):
        await bot.send_message(1, "hello")
    assert delays == [0.1, 0.2, 0.3]
