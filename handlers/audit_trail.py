"""The audit log as use cases: record an action on its own, and read the newest entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import audit as audit_store

__all__ = ["AuditEntry", "AuditTrail"]


@dataclass(frozen=True)
class AuditEntry:
    """One administrative action: who (an actor string, never a raw id), what, when."""

    id: int
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


class AuditTrail:
    """Actions that change nothing else (views, refused attempts) and the log itself."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def record(
        self, *, actor: str, action: str, detail: dict[str, Any] | None = None
    ) -> None:
        """Write one entry in its own transaction."""
        async with self._session_factory() as session, session.begin():
            await audit_store.add_audit_entry(
                session=session, actor=actor, action=action, detail=detail or {}
            )

    async def entries(self, *, limit: int = 50) -> list[AuditEntry]:
        """The newest entries first."""
        async with self._session_factory() as session:
            rows = await audit_store.list_audit_entries(session=session, limit=limit)
        return [
            AuditEntry(row.id or 0, row.at, row.actor, row.action, dict(row.detail)) for row in rows
        ]
