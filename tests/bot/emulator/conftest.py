"""Fixtures: an emulator served over real HTTP, raw API access and a PTB app fed by deliver."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from telegram import Update

from bot.emulator import BotApiEmulator
from tests.bot.emulator.support import PtbApp, RawApi, build_application


@pytest.fixture
def emu() -> BotApiEmulator:
    """A fresh emulator."""
    return BotApiEmulator(bot_username="pishran_test_bot")


@pytest.fixture
async def emu_url(
    emu: BotApiEmulator, aiohttp_server: Callable[..., Awaitable[Any]]
) -> AsyncIterator[str]:
    """Serve the emulator on 127.0.0.1 and return its base URL."""
    server = await aiohttp_server(emu.build_app())
    yield str(server.make_url("")).rstrip("/")
    await emu.close()


@pytest.fixture
async def raw(emu: BotApiEmulator, emu_url: str) -> AsyncIterator[RawApi]:
    """Raw HTTP access to the emulator."""
    async with aiohttp.ClientSession() as session:
        yield RawApi(session, emu_url, emu.token)


@pytest.fixture
async def delivered_app(emu: BotApiEmulator, emu_url: str) -> AsyncIterator[PtbApp]:
    """A PTB application fed directly through ``emu.deliver``."""
    application = build_application(emu, emu_url)
    await application.initialize()

    async def process(data: dict[str, Any]) -> None:
        await application.process_update(Update.de_json(data, application.bot))

    emu.deliver = process
    yield application
    emu.deliver = None
    await application.shutdown()
