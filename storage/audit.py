"""The audit log: every administrative action, who did it and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import AuditLog

__all__ = ["add_audit_entry", "list_audit_entries"]


async def add_audit_entry(
    *, session: AsyncSession, actor: str, action: str, detail: dict[str, Any]
) -> AuditLog:
    """Record that `actor` (e.g. "web:admin", "telegram:<hash>") did `action`."""
    entry = AuditLog(actor=actor, action=action, detail=detail)
    session.add(entry)
    await session.flush()
    return entry


async def list_audit_entries(*, session: AsyncSession, limit: int = 50) -> list[AuditLog]:
    """The newest entries first."""
    rows = await session.scalars(select(AuditLog).order_by(col(AuditLog.id).desc()).limit(limit))
    return list(rows)
