"""The audit log: every administrative action, who did it and when."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import AuditLog

__all__ = ["actor_for_telegram", "add_audit_entry", "list_audit_entries"]

# The audit log names people without their Telegram id; the prefix keeps these digests apart
# from any other sha256 of the same number.
_TELEGRAM_ACTOR_PREFIX = b"pishran:telegram:"


def actor_for_telegram(user_id: int) -> str:
    """`telegram:` and a short sha256 of the id: the same person always gets the same actor."""
    digest = hashlib.sha256(_TELEGRAM_ACTOR_PREFIX + str(user_id).encode()).hexdigest()
    return f"telegram:{digest[:12]}"


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
