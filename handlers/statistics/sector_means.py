"""The sector's factor means shown beside a respondent's results, read once a minute at most.

The means are the sector's cell of a live export (the same sums, the same noise,
storage/stats/groups.py), and reading them sums every completed assessment of the sector:
6.8 ms at 25 000 completed assessments and 32.5 ms at 100 000 on SQLite (bench/README.md),
on every results screen. Kept here for `ttl` seconds, a sector's means cost that sum once per
period however many people finish. What a cached value shows is what an export showed at most
`ttl` seconds earlier, so nothing is published that an export does not publish (docs/privacy.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from storage import stats as stats_store

__all__ = ["SectorMeans"]


class SectorMeans:
    """Each sector's published factor means, read from the database at most once per `ttl`
    seconds in this process (0: at every call)."""

    def __init__(
        self, *, k: int, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if ttl < 0:
            raise ValueError(f"ttl must not be negative, got {ttl}")
        self._k = k
        self._ttl = ttl
        self._clock = clock
        # sector -> (when read, its means or None while the sector has fewer than k)
        self._read: dict[str, tuple[float, Mapping[str, float] | None]] = {}

    async def of(self, session: AsyncSession, sector: str | None) -> Mapping[str, float] | None:
        """`sector`'s factor means (None without a sector, or under k assessments), read in
        `session` when this process has not read them within `ttl` seconds.

        Several people finishing at once when the period ends may each read them: at most
        one read per update in flight, and no lock for a results screen to wait on.
        """
        if not sector:
            return None
        now = self._clock()
        read = self._read.get(sector)
        if read is not None and now - read[0] < self._ttl:
            return read[1]
        means = await stats_store.get_peer_factor_means(session=session, sector=sector, k=self._k)
        self._read[sector] = (now, means)
        return means
