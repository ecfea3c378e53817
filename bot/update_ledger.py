"""Which Telegram updates the webhook has taken on, shared by every replica through the database.

Telegram delivers an update again when it got no 200 in time, and whoever knows the secret
can replay one; either may reach another replica. The first replica to record an update id
handles the update, the others drop it. The id is recorded before the update is queued: a
replica that dies between the two loses the update, as one that dies after answering 200
always could (the update waits in its memory until handled). Ids older than RETENTION are
pruned, once an hour per replica: Telegram keeps an undelivered update for 24 hours.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import handled_updates as update_store
from storage.models import get_datetime_utc

__all__ = ["PRUNE_EVERY", "RETENTION", "UpdateLedger"]

RETENTION = timedelta(days=2)
PRUNE_EVERY = timedelta(hours=1)


class UpdateLedger:
    """Claim each update id once, across replicas; forget ids older than RETENTION."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime] = get_datetime_utc,
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self._pruned_at: datetime | None = None

    async def claim(self, update_id: int) -> bool:
        """True the first time any replica claims `update_id`; False for a repeat."""
        now = self._clock()
        async with self._session_factory() as session, session.begin():
            if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
                await update_store.prune_handled_updates(session=session, before=now - RETENTION)
                self._pruned_at = now
            return await update_store.claim_update(session=session, update_id=update_id, now=now)
