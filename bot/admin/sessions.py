"""Panel sessions kept in the database: a copied cookie stops working once its owner signs out.

The encrypted cookie alone cannot be revoked: whoever copies it could use it until it
expires. So signing in also stores the session (the sha256 of a random token that only the
cookie carries), every panel request checks it is still there, and signing out deletes it,
for every replica at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import admin_sessions as session_store
from storage.models import get_datetime_utc

__all__ = ["PanelSessions"]


class PanelSessions:
    """Start, check and end the server-side half of panel sessions."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        lifetime: timedelta,
        clock: Callable[[], datetime] = get_datetime_utc,
    ) -> None:
        self._session_factory = session_factory
        self._lifetime = lifetime
        self._clock = clock

    async def start(self) -> str:
        """A new session's token (for the cookie); expired sessions are cleared on the way."""
        token = secrets.token_urlsafe(32)
        now = self._clock()
        async with self._session_factory() as session, session.begin():
            await session_store.delete_expired_admin_sessions(session=session, now=now)
            await session_store.add_admin_session(
                session=session, token=token, expires_at=now + self._lifetime
            )
        return token

    async def active(self, token: object) -> bool:
        """Whether `token` (as read from a cookie) belongs to a session still signed in."""
        if not isinstance(token, str) or not token:
            return False
        async with self._session_factory() as session:
            return await session_store.valid_admin_session(
                session=session, token=token, now=self._clock()
            )

    async def end(self, token: object) -> None:
        """Revoke the session of `token`, wherever its cookie is."""
        if isinstance(token, str) and token:
            async with self._session_factory() as session, session.begin():
                await session_store.delete_admin_session(session=session, token=token)
