"""BotApiEmulator: the state of one emulated Telegram bot and its users."""

from __future__ import annotations

import copy
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.emulator.activity import Activity
from bot.emulator.errors import conflict
from bot.emulator.faults import Fault, FaultInjector
from bot.emulator.files import FileStore
from bot.emulator.models import ApiCall
from bot.emulator.server import create_app
from bot.emulator.updates import Update, UpdateQueue, WebhookDeliverer
from bot.emulator.users import EmulatedUser

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
DEFAULT_TOKEN = "7000000001:AAEmulatorTokenForPishranTests_0123"

Deliver = Callable[[Update], Awaitable[None]]


class BotApiEmulator:
    """A fake Telegram Bot API server for one bot, driven from Python by emulated users."""

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_username: str = "pishran_test_bot",
        bot_first_name: str = "Pishran",
        strict_html: bool = True,
        detect_entities: bool = True,
        webhook_max_attempts: int = 10,
        webhook_backoff: float = 0.05,
    ) -> None:
        """Configure the bot identity; ``token=None`` accepts any well-formed token."""
        if token is not None and not TOKEN_RE.match(token):
            raise ValueError(f"malformed bot token: {token!r}")
        self._token = token
        self._seen_token: str | None = None
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.strict_html = strict_html
        self.detect_entities = detect_entities
        self.deliver: Deliver | None = None
        self.faults = FaultInjector()
        self.files = FileStore()
        self.calls: list[ApiCall] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.bot_settings: dict[str, dict[str, Any]] = {}
        self.queue = UpdateQueue()
        self.activity = Activity()
        self.webhook = WebhookDeliverer(
            self.queue,
            self.activity.touch,
            max_attempts=webhook_max_attempts,
            backoff=webhook_backoff,
        )
        self._users: dict[int, EmulatedUser] = {}
        self._callback_queries: dict[str, EmulatedUser] = {}
        self._next_update_id = 1
        self._last_poll: float | None = None
        self._poll_generation = 0
        self._closing = False

    # ------------------------------------------------------------------ identity

    @property
    def token(self) -> str:
        """Return the token to build the bot with (configured, last seen, or a default)."""
        return self._token or self._seen_token or DEFAULT_TOKEN

    @property
    def bot_id(self) -> int:
        """Return the bot's user id (the number before the token's colon)."""
        return int(self.token.split(":", 1)[0])

    @property
    def bot_user(self) -> dict[str, Any]:
        """Return the bot as a Bot API User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def accepts_token(self, token: str) -> bool:
        """Tell whether a request token is valid for this emulator (and remember it)."""
        if not TOKEN_RE.match(token) or (self._token is not None and token != self._token):
            return False
        self._seen_token = token
        return True

    # ------------------------------------------------------------------ app & lifecycle

    def build_app(self) -> web.Application:
        """Return an aiohttp application serving this emulator's Bot API."""
        app = create_app(self)
        app.on_startup.append(self.on_app_startup)
        app.on_shutdown.append(self.on_app_shutdown)
        app.on_cleanup.append(self.on_app_cleanup)
        return app

    async def on_app_startup(self, app: web.Application) -> None:
        """Allow long polls again after a previous shutdown."""
        self._closing = False

    async def on_app_shutdown(self, app: web.Application) -> None:
        """Release pending long polls so the server can stop promptly."""
        self._closing = True
        self.queue.changed.fire()

    async def on_app_cleanup(self, app: web.Application) -> None:
        """Stop webhook delivery and close its HTTP session."""
        await self.webhook.close()

    async def close(self) -> None:
        """Release long polls, stop webhook delivery and close the HTTP session."""
        self._closing = True
        self.queue.changed.fire()
        await self.webhook.close()

    # ------------------------------------------------------------------ users & faults

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "User",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        is_premium: bool = False,
    ) -> EmulatedUser:
        """Return the user with this id, creating them (and their private chat) if new."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        created = EmulatedUser(
            self,
            user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_premium=is_premium,
        )
        self._users[user_id] = created
        return created

    @property
    def users(self) -> dict[int, EmulatedUser]:
        """Return all users by id."""
        return dict(self._users)

    def inject_fault(
        self,
        *,
        method: str | None = None,
        status: int | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
        drop: bool = False,
        description: str | None = None,
        times: int | None = 1,
    ) -> Fault:
        """Make the next ``times`` calls (of ``method``) fail, stall or drop; see FaultInjector."""
        return self.faults.add(
            method=method,
            status=status,
            retry_after=retry_after,
            delay=delay,
            drop=drop,
            description=description,
            times=times,
        )

    def reset_calls(self) -> None:
        """Forget the recorded API calls."""
        self.calls.clear()

    def calls_to(self, method: str) -> list[ApiCall]:
        """Return the recorded calls of one method (any letter case)."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def get_commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """Return the commands set for a scope (default scope if None) and language."""
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        return list(self.commands.get(key, []))

    # ------------------------------------------------------------------ updates

    async def publish(self, body: dict[str, Any]) -> Update:
        """Give an update the next id and hand it to deliver, the webhook or getUpdates."""
        update: Update = {"update_id": self._next_update_id, **copy.deepcopy(body)}
        self._next_update_id += 1
        self.activity.touch()
        if self.deliver is not None:
            with self.activity.delivering():
                await self.deliver(copy.deepcopy(update))
        else:
            self.queue.push(update)
            self.webhook.kick()
        return update

    def new_callback_query(self, user: EmulatedUser) -> str:
        """Register a callback query awaiting an answer; return its id."""
        query_id = str(secrets.randbits(63))
        self._callback_queries[query_id] = user
        return query_id

    def take_callback_query(self, query_id: str) -> EmulatedUser | None:
        """Mark a callback query answered; return its user, or None if unknown/answered."""
        return self._callback_queries.pop(query_id, None)

    async def poll_updates(self, offset: int | None, limit: int, wait: float) -> list[Update]:
        """Confirm updates before ``offset`` and wait up to ``wait`` seconds for new ones."""
        self._poll_generation += 1
        generation = self._poll_generation
        self.queue.changed.fire()  # an older waiting poll is terminated (as in Telegram)
        self._last_poll = time.monotonic()
        if self.queue.confirm(offset):
            self.activity.touch()
        deadline = time.monotonic() + wait
        while True:
            if generation != self._poll_generation:
                raise conflict(
                    "terminated by other getUpdates request; "
                    "make sure that only one bot instance is running"
                )
            updates = [] if self.webhook.active else self.queue.peek(limit)
            remaining = deadline - time.monotonic()
            if updates or self._closing or self.webhook.active or remaining <= 0:
                break
            await self.queue.changed.wait(remaining)
        if updates:
            self.activity.touch()
        return updates

    # ------------------------------------------------------------------ idleness

    def request_started(self, method: str) -> int:
        """Register an arriving API call; return a ticket for request_finished."""
        return self.activity.request_started(method)

    def request_finished(self, ticket: int) -> None:
        """Register a finished API call (a subclass may watch the recorded calls here)."""
        self.activity.request_finished(ticket)

    def _pending_updates(self) -> list[str]:
        """Explain which updates keep the emulator from being idle."""
        if not len(self.queue):
            return []
        ids = self.queue.ids
        if self.webhook.active:
            error = self.webhook.last_error_message
            return [
                f"update(s) {ids} not yet delivered to webhook {self.webhook.url}"
                + (f" (last error: {error})" if error else "")
            ]
        seen = (
            "no getUpdates call seen yet"
            if self._last_poll is None
            else f"last getUpdates call {time.monotonic() - self._last_poll:.2f}s ago"
        )
        return [f"update(s) {ids} not yet fetched and confirmed ({seen})"]

    async def wait_idle(self, timeout: float = 5.0, quiet: float = 0.05) -> None:  # noqa: ASYNC109
        """Wait until all updates are consumed and no API call arrived for ``quiet`` seconds."""
        await self.activity.wait_idle(self._pending_updates, timeout, quiet)


__all__ = ["DEFAULT_TOKEN", "BotApiEmulator"]
