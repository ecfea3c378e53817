"""Signed-in sessions of the web panel, kept server-side so that signing out revokes them.

The session cookie carries a random session token; the database keeps only the token's
sha256, with its expiry. Every replica checks the same table, so a copied cookie stops
working everywhere the moment its owner signs out.
"""

# No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.

import hashlib
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col, select

from storage.db import count_affected_rows
from storage.models import UtcDateTime, get_datetime_utc

__all__ = [
    "AdminSession",
    "add_admin_session",
    "delete_admin_session",
    "delete_expired_admin_sessions",
    "token_digest",
    "valid_admin_session",
]


class AdminSession(SQLModel, table=True):
    """One signed-in panel session: the sha256 of its token, and when it stops being valid."""

    __tablename__ = "admin_session"

    digest: str = Field(primary_key=True)
    created_at: datetime = Field(default_factory=get_datetime_utc, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)


def token_digest(token: str) -> str:
    """What the table keeps of a session token: a reader of the database cannot sign in."""
    return hashlib.sha256(token.encode()).hexdigest()


async def add_admin_session(*, session: AsyncSession, token: str, expires_at: datetime) -> None:
    """Store a new session valid until `expires_at`."""
    session.add(AdminSession(digest=token_digest(token), expires_at=expires_at))
    await session.flush()


async def valid_admin_session(*, session: AsyncSession, token: str, now: datetime) -> bool:
    """Whether the session with this token exists and has not expired."""
    expires_at = await session.scalar(
        select(AdminSession.expires_at).where(col(AdminSession.digest) == token_digest(token))
    )
    return expires_at is not None and expires_at > now


async def delete_admin_session(*, session: AsyncSession, token: str) -> bool:
    """Revoke the session with this token; False if there was none."""
    result = await session.execute(
        delete(AdminSession).where(col(AdminSession.digest) == token_digest(token))
    )
    return count_affected_rows(result) > 0


async def delete_expired_admin_sessions(*, session: AsyncSession, now: datetime) -> int:
    """Drop the sessions that expired by `now`."""
    result = await session.execute(delete(AdminSession).where(col(AdminSession.expires_at) <= now))
    return count_affected_rows(result)
