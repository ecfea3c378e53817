"""The audit log: every administrative action, who did it and when; refusals counted per minute."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.db import count_affected_rows, dialect_insert
from storage.models import AuditLog, get_datetime_utc
from storage.pseudonyms import derive_key, hash_user_id

__all__ = [
    "FORGOTTEN_ACTOR",
    "REFUSAL_ACTIONS",
    "AuditKind",
    "actor_for_telegram",
    "actor_key",
    "add_audit_entry",
    "add_counted_audit_entry",
    "forget_actor",
    "list_audit_entries",
]

#: The actor of a person's rows after /forget: still counted, no longer anyone's.
FORGOTTEN_ACTOR = "telegram:forgotten"
#: Attempts that were refused: a flood of them must not hide what administrators did.
REFUSAL_ACTIONS = frozenset(
    {
        "admin.denied",
        "web.refused",
        "web.csrf_refused",
        "web.sign_in_failed",
        "web.sign_in_throttled",
    }
)
_ACTOR_KEY_PURPOSE = b"audit actor"


class AuditKind(StrEnum):
    """The panel's filter: what administrators did, or what was refused."""

    ADMIN = "admin"
    REFUSED = "refused"


def actor_key(secret: str) -> bytes:
    """The key of the audit actors, derived from a secret setting (AUDIT_KEY or BOT_TOKEN)."""
    return derive_key(secret, _ACTOR_KEY_PURPOSE)


def actor_for_telegram(user_id: int, *, key: bytes) -> str:
    """`telegram:` and an HMAC of the id under `key`: the same person always gets the same actor,
    and nobody without the key can tell whose it is (ids are too few to hide in a plain hash)."""
    return f"telegram:{hash_user_id(user_id, key=key)}"


async def add_audit_entry(
    *, session: AsyncSession, actor: str, action: str, detail: dict[str, Any]
) -> AuditLog:
    """Record that `actor` (e.g. "web:admin", "telegram:<hmac>") did `action`."""
    entry = AuditLog(actor=actor, action=action, detail=detail)
    session.add(entry)
    await session.flush()
    return entry


async def add_counted_audit_entry(
    *,
    session: AsyncSession,
    bucket: str,
    actor: str,
    action: str,
    detail: dict[str, Any],
    count: int = 1,
) -> None:
    """Add `count` to the row of `bucket` (e.g. action, source and minute), created if new.

    Replicas counting into the same bucket at once add up: the row is inserted or increased
    in one statement on its unique key.
    """
    insert = dialect_insert(session, AuditLog).values(
        at=get_datetime_utc(), actor=actor, action=action, detail=detail, count=count, bucket=bucket
    )
    excluded_count = insert.excluded["count"]
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=[col(AuditLog.bucket)],
            set_={"count": col(AuditLog.count) + excluded_count},
        )
    )


async def forget_actor(*, session: AsyncSession, actor: str) -> int:
    """Make `actor`'s rows nobody's (FORGOTTEN_ACTOR), keeping them and their counts."""
    result = await session.execute(
        update(AuditLog).where(col(AuditLog.actor) == actor).values(actor=FORGOTTEN_ACTOR)
    )
    return count_affected_rows(result)


async def list_audit_entries(
    *, session: AsyncSession, limit: int = 50, kind: AuditKind | None = None
) -> list[AuditLog]:
    """The newest entries first; only one `kind` of them when given."""
    query = select(AuditLog)
    if kind is AuditKind.REFUSED:
        query = query.where(col(AuditLog.action).in_(REFUSAL_ACTIONS))
    elif kind is AuditKind.ADMIN:
        query = query.where(col(AuditLog.action).not_in(REFUSAL_ACTIONS))
    rows = await session.scalars(query.order_by(col(AuditLog.id).desc()).limit(limit))
    return list(rows)
