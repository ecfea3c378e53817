"""Knowledge base revisions: an append-only history whose newest entry is the active KB."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.db import dialect_insert
from storage.models import KbRevision, KbRevisionPublic, get_datetime_utc

__all__ = [
    "SHIPPED_REVISION",
    "RevisionTakenError",
    "add_kb_revision",
    "canonical_json",
    "content_checksum",
    "ensure_shipped_kb_revision",
    "get_active_kb_revision",
    "get_kb_revision",
    "list_kb_revisions",
]

SHIPPED_REVISION = 1


class RevisionTakenError(RuntimeError):
    """Another change took this revision number first (two editors at the same moment)."""

    def __init__(self, number: int) -> None:
        super().__init__(f"revision {number} was added by another change first")
        self.number = number


def canonical_json(content: dict[str, Any]) -> str:
    """The one JSON text of a KB document: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_checksum(content: dict[str, Any]) -> str:
    """The sha256 hex digest of the document's canonical JSON."""
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


async def get_active_kb_revision(*, session: AsyncSession) -> KbRevision | None:
    """The newest revision, which is the one in use; None before the first."""
    statement = select(KbRevision).order_by(col(KbRevision.id).desc()).limit(1)
    return await session.scalar(statement)


async def get_kb_revision(*, session: AsyncSession, revision_id: int) -> KbRevision | None:
    """The revision with this number."""
    return await session.get(KbRevision, revision_id)


async def list_kb_revisions(*, session: AsyncSession, limit: int = 20) -> list[KbRevisionPublic]:
    """The newest revisions first, without their (large) content."""
    columns = [getattr(KbRevision, name) for name in KbRevisionPublic.model_fields]
    rows = await session.execute(select(*columns).order_by(col(KbRevision.id).desc()).limit(limit))
    return [KbRevisionPublic.model_validate(dict(row)) for row in rows.mappings()]


async def add_kb_revision(
    *, session: AsyncSession, content: dict[str, Any], author: str, note: str
) -> KbRevision:
    """Append a revision, which becomes the active one; a rollback re-adds old content."""
    # Numbers are max + 1: two concurrent editors collide on the primary key and the second
    # one fails, rather than one edit silently hiding the other.
    latest = await session.scalar(select(func.max(KbRevision.id)))
    revision = KbRevision(
        id=(latest or 0) + 1,
        author=author,
        note=note,
        checksum=content_checksum(content),
        content=content,
    )
    session.add(revision)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise RevisionTakenError(revision.id) from exc
    return revision


async def ensure_shipped_kb_revision(
    *, session: AsyncSession, content: dict[str, Any]
) -> KbRevision:
    """The active revision; on an empty history, first store `content` as revision 1."""
    active = await get_active_kb_revision(session=session)
    if active is not None:
        return active
    # Replicas starting together may all find the table empty: only one insert lands.
    insert = dialect_insert(session, KbRevision).values(
        id=SHIPPED_REVISION,
        created_at=get_datetime_utc(),
        author="shipped",
        note="the knowledge base shipped with Pishran",
        checksum=content_checksum(content),
        content=content,
    )
    await session.execute(insert.on_conflict_do_nothing(index_elements=["id"]))
    active = await get_active_kb_revision(session=session)
    assert active is not None
    return active
