"""Fixtures for end-to-end conversations (emulator, database, the real bot) and services."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.application import start_runtime
from bot.emulator import BotApiEmulator
from bot.settings import Settings, load_settings
from handlers.services import Services
from tests.auxil.harness import RunningBot, bot_settings, start_bot


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


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    """Every service as build_services makes them, on a migrated database, without Telegram."""
    runtime = await start_runtime(
        load_settings({"DATABASE_URL": database_url, "STATS_K": "2"}, env_file=None)
    )
    yield runtime.services
    await runtime.close()
