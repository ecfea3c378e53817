"""The real bot, wired as in production, running against the Bot API emulator on loopback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Update

from bot.application import PTBApplication, Runtime, build_application, start_runtime
from bot.emulator import BotApiEmulator
from bot.settings import Settings

__all__ = ["RunningBot", "bot_settings", "start_bot"]


def bot_settings(
    emulator: BotApiEmulator, emulator_url: str, database_url: str, **overrides: Any
) -> Settings:
    """Settings that point the bot at the emulator and the test database."""
    values: dict[str, Any] = {
        "bot_token": emulator.token,
        "bot_api_base_url": f"{emulator_url}/bot",
        "bot_api_file_url": f"{emulator_url}/file/bot",
        "database_url": database_url,
        # Production waits 0.5 s, 1 s, 2 s before repeating a call the Bot API did not carry
        # out; tests that inject such faults would spend minutes asleep.
        "bot_api_retry_backoff": 0.01,
        "bot_api_retry_max_backoff": 0.04,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class RunningBot:
    """One bot process: its runtime (database, services) and its PTB Application."""

    runtime: Runtime
    application: PTBApplication

    async def stop(self) -> None:
        """Shut down like a process exit: the Application, then the database."""
        await self.application.shutdown()
        await self.runtime.close()


async def start_bot(emulator: BotApiEmulator, settings: Settings) -> RunningBot:
    """Build and initialise the bot; the emulator hands each update to it and waits."""
    runtime = await start_runtime(settings)
    application = build_application(settings, runtime.services, metrics=runtime.metrics)
    await application.initialize()

    async def process(data: dict[str, Any]) -> None:
        await application.process_update(Update.de_json(data, application.bot))

    emulator.deliver = process
    return RunningBot(runtime, application)
