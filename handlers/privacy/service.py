"""/forget: delete everything stored about a person, in one transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import audit as audit_store
from storage import respondents as respondent_store

__all__ = ["Privacy"]


class Privacy:
    """The person's control over their own data."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def forget(self, *, telegram_id: int, actor: str | None = None) -> bool:
        """Delete everything stored about this person; False when nothing was stored.

        Their audit rows (written as `actor`) stay, counted, but name nobody.
        """
        async with self._session_factory() as session, session.begin():
            if actor is not None:
                await audit_store.forget_actor(session=session, actor=actor)
            return await respondent_store.forget_respondent(
                session=session, telegram_id=telegram_id
            )
