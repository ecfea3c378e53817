"""Fixtures for end-to-end conversations: emulator, database, and the real bot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from bot.emulator import BotApiEmulator
from bot.settings import Settings
from tests.auxil.harness import RunningBot, bot_settings, start_bot


@pytest.fixture
def emulator() -> BotApiEmulator:
    """A fresh Bot API emulator."""
    return BotApiEmulator(bot_username="pishran_test_bot")


@pytest.fixture
async def emulator_url(
    emulator: BotApiEmulator, aiohttp_server: Callable[..., Awaitable[Any]]
) -> AsyncIterator[str]:
    """Serve the emulator on 127.0.0.1 and return its base URL."""
    server = await aiohttp_server(emulator.build_app())
    yield str(server.make_url("")).rstrip("/")
    await emulator.close()


@pytest.fixture
def settings(emulator: BotApiEmulator, emulator_url: str, database_url: str) -> Settings:
    """Settings for a bot on the emulator and the test database."""
    return bot_settings(emulator, emulator_url, database_url)


@pytest.fixture
async def bot(emulator: BotApiEmulator, settings: Settings) -> AsyncIterator[RunningBot]:
    """The real bot, started as in production, answering updates the emulator delivers."""
    running = await start_bot(emulator, settings)
    yield running
    await running.stop()
