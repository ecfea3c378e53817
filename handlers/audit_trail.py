"""The audit log as use cases: record an action on its own, and read the newest entries."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import audit as audit_store
from storage.audit import AuditKind

__all__ = ["AuditEntry", "AuditTrail"]


@dataclass(frozen=True)
class AuditEntry:
    """One administrative action: who (an actor string, never a raw id), what, when.

    `count` is how many times it happened, for refusals counted per source and minute.
    """

    id: int
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]
    count: int = 1


class AuditTrail:
    """Actions that change nothing else (views, refused attempts) and the log itself.

    Telegram users are named by an HMAC of their id under `actor_key` (from the settings);
    without one, a random key serves this process only.
    """

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], *, actor_key: bytes | None = None
    ) -> None:
        self._session_factory = session_factory
        self._actor_key = actor_key or secrets.token_bytes(32)

    def actor_for(self, telegram_id: int) -> str:
        """How the audit log names this Telegram user."""
        return audit_store.actor_for_telegram(telegram_id, key=self._actor_key)

    async def record(
        self, *, actor: str, action: str, detail: dict[str, Any] | None = None
    ) -> None:
        """Write one entry in its own transaction."""
        async with self._session_factory() as session, session.begin():
            await audit_store.add_audit_entry(
                session=session, actor=actor, action=action, detail=detail or {}
            )

    async def record_counted(
        self, *, bucket: str, actor: str, action: str, detail: dict[str, Any], count: int = 1
    ) -> None:
        """Add `count` to the entry of `bucket`, written with `detail` the first time."""
        async with self._session_factory() as session, session.begin():
            await audit_store.add_counted_audit_entry(
                session=session,
                bucket=bucket,
                actor=actor,
                action=action,
                detail=detail,
                count=count,
            )

    async def entries(self, *, limit: int = 50, kind: AuditKind | None = None) -> list[AuditEntry]:
        """The newest entries first, of one `kind` when given."""
        async with self._session_factory() as session:
            rows = await audit_store.list_audit_entries(session=session, limit=limit, kind=kind)
        return [
            AuditEntry(row.id or 0, row.at, row.actor, row.action, dict(row.detail), row.count)
            for row in rows
        ]
