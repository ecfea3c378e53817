"""Several people's updates at once, but each person's strictly in the order they came.

A completion (scoring, advice, nine result messages) takes a hundred times longer than an
answer; handled one update at a time, every answer behind it waits. Handled concurrently
without order, one person's double tap or quick answers could overtake each other. This
processor does both: up to `max_concurrent_updates` updates run together, and an update
waits for the previous update of the same person (chat) before it starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

__all__ = ["PerChatUpdateProcessor"]


def _order_key(update: object) -> int | None:
    """Whose updates must stay in order: the chat's (else the user's); None for neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within one chat, in arrival order."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._last: dict[int, asyncio.Future[None]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's previous update to finish, then run this one's handlers."""
        # Registered before the first await. The Application starts update tasks in arrival
        # order and they take the concurrency slots first come, first served, so each chat's
        # chain follows the order its updates came in. A waiting update holds a slot, but the
        # update it waits for took its slot earlier and is running: no cycle can form.
        key = _order_key(update)
        previous = self._last.get(key) if key is not None else None
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if key is not None:
            self._last[key] = done
        started = False
        try:
            if previous is not None:
                await asyncio.shield(previous)
            started = True
            await coroutine
        finally:
            if not started and isinstance(coroutine, Coroutine):  # cancelled while waiting
                coroutine.close()
            done.set_result(None)
            if key is not None and self._last.get(key) is done:
                del self._last[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: waiting updates finish with the Application."""
