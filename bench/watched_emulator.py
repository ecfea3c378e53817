"""The Bot API emulator, waking a simulated user the moment the bot's reply for their chat comes.

What counts as that reply is the waiting user's choice (an `Accept`): a message that shows the
next checklist step, any message the person would see change, or any call at all.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.emulator import ApiCall, BotApiEmulator, EmulatedUser

__all__ = [
    "Accept",
    "WatchedEmulator",
    "any_reply",
    "keyboard_reply",
    "shown_reply",
    "step_reply",
]

REPLY_METHODS = frozenset({"sendmessage", "editmessagetext", "sendphoto", "senddocument"})
Accept = Callable[[ApiCall], bool]
#: Callback data of buttons only the scores' message has: charts and report.
RESULTS_BUTTONS = ("ch:", "rp:")


def keyboard_reply(call: ApiCall) -> bool:
    """A reply that shows the next step: our bot puts every step under inline buttons."""
    markup = call.params.get("reply_markup")
    return isinstance(markup, dict) and bool(markup.get("inline_keyboard"))


def step_reply(call: ApiCall) -> bool:
    """A reply that ends a checklist step: a keyboard, but not the scores' message.

    The completing answer replies with several messages: the scores first, under the results'
    own buttons (📊 charts and 📄 report, with the plan's and the refinement's), and the
    explore screen last; the step is over when the last one arrives. A keyboard with the
    charts or report button is therefore never the end of a step.
    """
    if not keyboard_reply(call):
        return False
    rows = call.params["reply_markup"]["inline_keyboard"]
    data = [str(button.get("callback_data", "")) for row in rows for button in row]
    return not any(item.startswith(RESULTS_BUTTONS) for item in data)


def shown_reply(call: ApiCall) -> bool:
    """A message sent or edited: what the person sees change (not a button's acknowledgement)."""
    return call.method in ("sendMessage", "editMessageText", "sendPhoto", "sendDocument")


def any_reply(call: ApiCall) -> bool:
    """Any message sent or edited (the bare echo bot answers with one plain message)."""
    return True


class WatchedEmulator(BotApiEmulator):
    """The emulator, waking the user who waits for a reply the moment it is recorded."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.polled = asyncio.Event()
        self.last_reply_at = 0.0
        self.replies = 0
        self._waiters: dict[int, tuple[Accept, asyncio.Future[float]]] = {}

    async def poll_updates(self, offset: int | None, limit: int, wait: float) -> list[Any]:
        """Note that a bot is polling, then answer getUpdates as usual."""
        self.polled.set()
        return await super().poll_updates(offset, limit, wait)

    def request_finished(self, ticket: int) -> None:
        """After each call: if it replied in a chat whose user waits, wake that user."""
        super().request_finished(ticket)
        # The server records the call just before this, with no await in between.
        call = self.calls[-1] if self.calls else None
        if call is None or call.status != 200 or call.method.lower() not in REPLY_METHODS:
            return
        now = time.perf_counter()
        self.last_reply_at = now
        self.replies += 1
        chat_id = call.params.get("chat_id")
        waiter = self._waiters.get(int(chat_id)) if chat_id is not None else None
        if waiter is not None and waiter[0](call) and not waiter[1].done():
            waiter[1].set_result(now)

    async def act(
        self,
        user: EmulatedUser,
        publish: Callable[[], Awaitable[object]],
        accept: Accept,
        patience: float,
    ) -> float | None:
        """Publish an update and wait for an accepted reply: its latency, or None on timeout."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters[user.id] = (accept, future)
        started = time.perf_counter()
        try:
            await publish()
            return await asyncio.wait_for(future, patience) - started
        except TimeoutError:
            return None
        finally:
            self._waiters.pop(user.id, None)
