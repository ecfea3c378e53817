"""Activity: what the emulator is busy with and when anything last happened, for wait_idle."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bot.emulator.updates import Signal


class Activity:
    """API calls in progress, updates being handled, and the time of the last event."""

    def __init__(self) -> None:
        """Start idle."""
        self._tickets = itertools.count(1)
        self._in_flight: dict[int, str] = {}
        self._delivering = 0
        self._last = time.monotonic()
        self._signal = Signal()

    def touch(self) -> None:
        """Note that something happened."""
        self._last = time.monotonic()
        self._signal.fire()

    def request_started(self, method: str) -> int:
        """Register an arriving API call; return a ticket for request_finished."""
        ticket = next(self._tickets)
        if method != "getUpdates":
            self._in_flight[ticket] = method
            self.touch()
        return ticket

    def request_finished(self, ticket: int) -> None:
        """Register a finished API call."""
        if self._in_flight.pop(ticket, None) is not None:
            self.touch()

    @contextmanager
    def delivering(self) -> Iterator[None]:
        """Count an update as being handled (by emu.deliver) while the block runs."""
        self._delivering += 1
        try:
            yield
        finally:
            self._delivering -= 1
            self.touch()

    def busy_reasons(self) -> list[str]:
        """Explain which calls and deliveries are still in progress."""
        reasons = []
        if self._in_flight:
            reasons.append(f"Bot API call(s) in progress: {sorted(self._in_flight.values())}")
        if self._delivering:
            reasons.append(f"{self._delivering} update(s) still being handled by emu.deliver")
        return reasons

    async def wait_idle(
        self,
        pending: Callable[[], list[str]],
        timeout: float,  # noqa: ASYNC109
        quiet: float,
    ) -> None:
        """Wait until nothing is pending or busy and nothing happened for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            reasons = pending() + self.busy_reasons()
            quiet_left = self._last + quiet - now if not reasons else None
            if quiet_left is not None and quiet_left <= 0:
                return
            remaining = deadline - now
            if remaining <= 0:
                detail = "; ".join(reasons) or "Bot API calls kept arriving"
                raise TimeoutError(f"emulator not idle after {timeout}s: {detail}")
            await self._signal.wait(remaining if quiet_left is None else min(quiet_left, remaining))


__all__ = ["Activity"]
