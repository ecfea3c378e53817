"""EmulatorState: what the HTTP server and the Bot API methods read and change of an emulator.

BotApiEmulator (core.py) implements it; server.py, methods.py, messaging.py and text_params.py
depend on this protocol instead of on core.py, so the package has no import cycle.
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.emulator.faults import FaultInjector
from bot.emulator.files import FileStore
from bot.emulator.models import ApiCall
from bot.emulator.updates import Update, UpdateQueue, WebhookDeliverer
from bot.emulator.users import EmulatedUser


class EmulatorState(Protocol):
    """One emulated bot: its identity, users, files, updates, settings and call log."""

    strict_html: bool
    detect_entities: bool
    faults: FaultInjector
    files: FileStore
    calls: list[ApiCall]
    commands: dict[tuple[str, str], list[dict[str, str]]]
    bot_settings: dict[str, dict[str, Any]]
    queue: UpdateQueue
    webhook: WebhookDeliverer

    @property
    def bot_user(self) -> dict[str, Any]:
        """Return the bot as a Bot API User object."""
        ...

    @property
    def users(self) -> dict[int, EmulatedUser]:
        """Return all users by id."""
        ...

    def accepts_token(self, token: str) -> bool:
        """Tell whether a request token is valid for this emulator (and remember it)."""
        ...

    def request_started(self, method: str) -> int:
        """Register an arriving API call; return a ticket for request_finished."""
        ...

    def request_finished(self, ticket: int) -> None:
        """Register a finished API call."""
        ...

    async def poll_updates(self, offset: int | None, limit: int, wait: float) -> list[Update]:
        """Confirm updates before ``offset`` and wait up to ``wait`` seconds for new ones."""
        ...

    def take_callback_query(self, query_id: str) -> EmulatedUser | None:
        """Mark a callback query answered; return its user, or None if unknown/answered."""
        ...


__all__ = ["EmulatorState"]
