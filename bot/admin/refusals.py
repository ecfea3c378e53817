"""Refused anonymous requests, counted: one audit row per action, source and minute.

Anyone can send requests to /admin. Writing a row for each refusal let 500 requests with
4 KB paths add 500 rows (2 MB) and push the administrators' own actions off the audit page.
Here each refusal adds to a counter of its action, source (an IPv4 address, or an IPv6 /64
network, which one machine can fill with addresses) and minute, written at most once a
second per source; the row keeps the first request's method and its path cut short. Beyond
MAX_SOURCES_PER_MINUTE sources in a minute, the rest share one row.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from handlers.audit_trail import AuditTrail

__all__ = ["MAX_SOURCES_PER_MINUTE", "PATH_LIMIT", "RefusalLog", "source_of"]

#: Distinct sources counted on their own in one minute; the others are counted as "other".
MAX_SOURCES_PER_MINUTE = 100
#: Characters of a refused request's path kept in its row.
PATH_LIMIT = 120
OTHER_SOURCES = "other"
_MAX_TRACKED = 10_000


def source_of(address: str) -> str:
    """Where a request came from, as counted: an IPv4 address, an IPv6 /64, or the text."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass
class _Count:
    method: str
    path: str
    count: int = 0


class RefusalLog:
    """Count refusals in memory and add them to their audit rows, at most once a second each."""

    def __init__(
        self,
        audit: AuditTrail,
        *,
        actor: str,
        flush_seconds: float = 1.0,
        max_sources: int = MAX_SOURCES_PER_MINUTE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._audit = audit
        self._actor = actor
        self._flush_seconds = flush_seconds
        self._max_sources = max_sources
        self._clock = clock
        self._pending: dict[tuple[str, str, int], _Count] = {}
        self._written: dict[str, float] = {}  # source -> when its counts were last written
        self._minute_sources: tuple[int, set[str]] = (0, set())

    async def record(self, action: str, *, address: str, method: str, path: str) -> None:
        """Count one refused request; write the counts that are due, this one's included."""
        now = self._clock()
        minute = int(now // 60)
        source = self._counted_source(source_of(address), minute)
        key = (action, source, minute)
        self._pending.setdefault(key, _Count(method[:16], path[:PATH_LIMIT])).count += 1
        waiting = {waiting for _, waiting, _ in self._pending}
        for due in waiting:
            if now - self._written.get(due, float("-inf")) >= self._flush_seconds:
                await self._write(due, now)

    async def flush(self) -> None:
        """Write every count not written yet (when the app stops)."""
        for source in {source for _, source, _ in self._pending}:
            await self._write(source, self._clock())

    def _counted_source(self, source: str, minute: int) -> str:
        current, seen = self._minute_sources
        if current != minute:
            current, seen = minute, set()
            self._minute_sources = (current, seen)
        if source not in seen and len(seen) >= self._max_sources:
            return OTHER_SOURCES
        seen.add(source)
        return source

    async def _write(self, source: str, now: float) -> None:
        self._written[source] = now  # first: a request arriving meanwhile waits its turn
        for key in [key for key in self._pending if key[1] == source]:
            pending = self._pending.pop(key, None)
            if pending is None:
                continue
            action, _, minute = key
            started = datetime.fromtimestamp(minute * 60, UTC)
            detail = {
                "address": source,
                "minute": started.strftime("%Y-%m-%dT%H:%MZ"),
                "method": pending.method,
                "path": pending.path,
            }
            await self._audit.record_counted(
                bucket=f"{action}|{source}|{minute}",
                actor=self._actor,
                action=action,
                detail=detail,
                count=pending.count,
            )
        if len(self._written) > _MAX_TRACKED:  # forget the sources quiet for over a minute
            self._written = {s: t for s, t in self._written.items() if now - t < 60}
