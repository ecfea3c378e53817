"""The administrators' tests run the real bot with one administrator, ADMIN_ID."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.emulator import BotApiEmulator
from tests.auxil.admin import admin_settings
from tests.auxil.harness import RunningBot, start_bot


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, emulator_url: str, database_url: str
) -> AsyncIterator[RunningBot]:
    """The real bot with one administrator, ADMIN_ID."""
    running = await start_bot(emulator, admin_settings(emulator, emulator_url, database_url))
    yield running
    await running.stop()
