"""Pending updates: the getUpdates queue and in-order webhook delivery."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

import aiohttp

Update = dict[str, Any]


class Signal:
    """A broadcast wake-up: every waiter blocks until the next fire()."""

    def __init__(self) -> None:
        """Create an idle signal; its Event is made lazily inside the running loop."""
        self._event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def fire(self) -> None:
        """Wake everyone currently waiting."""
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, seconds: float | None) -> bool:
        """Wait for the next fire(), at most ``seconds``; return False on timeout."""
        loop = asyncio.get_running_loop()
        if self._event is None or self._loop is not loop:
            self._event, self._loop = asyncio.Event(), loop
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            return False
        return True


class UpdateQueue:
    """Updates not yet confirmed by getUpdates nor delivered to the webhook, oldest first."""

    def __init__(self) -> None:
        """Start empty."""
        self._items: list[Update] = []
        self.changed = Signal()

    def push(self, update: Update) -> None:
        """Append a new update and wake waiting pollers."""
        self._items.append(update)
        self.changed.fire()

    def confirm(self, offset: int | None) -> int:
        """Forget updates before ``offset`` (negative: keep the last -offset); return count."""
        if offset is None or offset == 0:
            return 0
        before = len(self._items)
        if offset < 0:
            self._items = self._items[offset:]
        else:
            self._items = [u for u in self._items if u["update_id"] >= offset]
        return before - len(self._items)

    def peek(self, limit: int) -> list[Update]:
        """Return up to ``limit`` oldest pending updates without removing them."""
        return self._items[:limit]

    def remove(self, update_id: int) -> None:
        """Drop one update by id."""
        self._items = [u for u in self._items if u["update_id"] != update_id]

    def clear(self) -> int:
        """Drop everything; return how many updates were dropped."""
        count = len(self._items)
        self._items.clear()
        return count

    @property
    def ids(self) -> list[int]:
        """Return the ids of the pending updates."""
        return [u["update_id"] for u in self._items]

    def __len__(self) -> int:
        """Return the number of pending updates."""
        return len(self._items)


class WebhookDeliverer:
    """POSTs pending updates, in order and one at a time, to the configured webhook URL."""

    def __init__(
        self,
        queue: UpdateQueue,
        on_progress: Callable[[], None],
        *,
        max_attempts: int = 10,
        backoff: float = 0.05,
        max_backoff: float = 1.0,
        request_timeout: float = 10.0,
    ) -> None:
        """Deliver from ``queue``; call ``on_progress`` after each delivery attempt."""
        self.queue = queue
        self.on_progress = on_progress
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.request_timeout = request_timeout
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = 40
        self.allowed_updates: list[str] | None = None
        self.ip_address: str | None = None
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.failed: list[Update] = []
        self.deliveries: list[tuple[Update, int]] = []  # (update, HTTP status) of successes
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def active(self) -> bool:
        """Tell whether a webhook is set."""
        return bool(self.url)

    @property
    def busy(self) -> bool:
        """Tell whether the delivery loop is running."""
        return self._task is not None and not self._task.done()

    def configure(
        self,
        url: str,
        *,
        secret_token: str | None,
        max_connections: int,
        allowed_updates: list[str] | None,
        ip_address: str | None,
    ) -> None:
        """Set the webhook and start delivering pending updates."""
        self.url = url
        self.secret_token = secret_token
        self.max_connections = max_connections
        self.allowed_updates = allowed_updates
        self.ip_address = ip_address
        self.last_error_date = self.last_error_message = None
        self.kick()

    async def remove(self) -> None:
        """Unset the webhook and stop the delivery loop (pending updates stay queued)."""
        self.url = ""
        self.secret_token = None
        await self._stop_task()

    def kick(self) -> None:
        """Start the delivery loop if there is something to deliver."""
        if self.url and len(self.queue) and not self.busy:
            self._task = asyncio.get_running_loop().create_task(self._run())

    def info(self) -> dict[str, Any]:
        """Return the WebhookInfo object."""
        result: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.queue),
        }
        if self.url:
            result["max_connections"] = self.max_connections
            if self.ip_address:
                result["ip_address"] = self.ip_address
            if self.allowed_updates is not None:
                result["allowed_updates"] = self.allowed_updates
        if self.last_error_date is not None:
            result["last_error_date"] = self.last_error_date
            result["last_error_message"] = self.last_error_message
        return result

    async def close(self) -> None:
        """Stop delivering and close the HTTP session."""
        await self._stop_task()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _stop_task(self) -> None:
        """Cancel the delivery loop and wait for it to end."""
        task, self._task = self._task, None
        if task is not None and not task.done() and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        """Deliver until the queue is empty or the webhook is removed."""
        attempts = 0
        while self.url and len(self.queue):
            update = self.queue.peek(1)[0]
            error = await self._post(update)
            if error is None:
                self.queue.remove(update["update_id"])
                attempts = 0
            else:
                self.last_error_date = int(time.time())
                self.last_error_message = error
                attempts += 1
                if attempts >= self.max_attempts:
                    self.queue.remove(update["update_id"])
                    self.failed.append(update)
                    attempts = 0
            self.on_progress()
            if attempts:
                await asyncio.sleep(min(self.backoff * 2 ** (attempts - 1), self.max_backoff))

    async def _post(self, update: Update) -> str | None:
        """POST one update; return None on a 2xx answer, else an error description."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        headers = {}
        if self.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.secret_token
        timeout = aiohttp.ClientTimeout(total=self.request_timeout)
        try:
            async with self._session.post(
                self.url, json=update, headers=headers, timeout=timeout
            ) as response:
                await response.read()
                if 200 <= response.status < 300:
                    self.deliveries.append((update, response.status))
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Connection timed out"
        except aiohttp.ClientError as exc:
            return f"Connection failed: {exc.__class__.__name__}: {exc}"
