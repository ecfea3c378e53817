"""Fixtures for production concerns: an emulator on loopback, webhook replicas, real processes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from bot.emulator import BotApiEmulator


@pytest.fixture
def emulator() -> BotApiEmulator:
    """A fresh Bot API emulator."""
    return BotApiEmulator(bot_username="pishran_test_bot")


@pytest.fixture
async def emulator_url(
    emulator: BotApiEmulator, aiohttp_server: Callable[..., Awaitable[Any]]
) -> AsyncIterator[str]:
    """Serve the emulator on 127.0.0.1 and return its base URL (a module that overrides
    `emulator`, e.g. with bench's WatchedEmulator, gets that one served)."""
    server = await aiohttp_server(emulator.build_app())
    yield str(server.make_url("")).rstrip("/")
    await emulator.close()
