"""Fault injection: make upcoming Bot API calls fail, stall or drop the connection."""

from __future__ import annotations

from dataclasses import dataclass

from bot.emulator.errors import ApiError, status_error, too_many_requests


@dataclass
class Fault:
    """One injected fault; it applies to the next ``times`` matching calls (None: forever)."""

    method: str | None = None
    status: int | None = None
    retry_after: int | None = None
    delay: float = 0.0
    drop: bool = False
    description: str | None = None
    times: int | None = 1
    hits: int = 0

    def matches(self, method: str) -> bool:
        """Tell whether this fault applies to a call of ``method``."""
        return self.method is None or self.method.lower() == method.lower()

    @property
    def exhausted(self) -> bool:
        """Tell whether the fault has been used up."""
        return self.times is not None and self.hits >= self.times

    def error(self) -> ApiError | None:
        """Return the error response this fault produces, if any."""
        if self.status is None:
            return None
        if self.status == 429:
            error = too_many_requests(self.retry_after if self.retry_after is not None else 1)
            if self.description is not None:
                error.description = self.description
            return error
        return status_error(self.status, self.description)


class FaultInjector:
    """The queue of pending faults of one emulator."""

    def __init__(self) -> None:
        """Start with no faults."""
        self._faults: list[Fault] = []

    def add(
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
        """Queue a fault for the next ``times`` calls (of ``method`` if given)."""
        if status is None and not drop and delay <= 0:
            raise ValueError("a fault needs a status, a delay or drop=True")
        if status is not None and not 400 <= status <= 599:
            raise ValueError(f"fault status must be 4xx or 5xx, got {status}")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None")
        fault = Fault(method, status, retry_after, delay, drop, description, times)
        self._faults.append(fault)
        return fault

    def take(self, method: str) -> Fault | None:
        """Consume and return the first fault matching a call of ``method``."""
        for fault in self._faults:
            if fault.matches(method) and not fault.exhausted:
                fault.hits += 1
                if fault.exhausted:
                    self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        """Remove all pending faults."""
        self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        """Return the faults not yet used up."""
        return list(self._faults)

    def __len__(self) -> int:
        """Return the number of pending faults."""
        return len(self._faults)
