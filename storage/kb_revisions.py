"""Knowledge base revisions: an append-only history whose newest entry is the active KB.

The shipped KB (knowledge/data/kb.yaml) is stored with the author "shipped". At start-up:
- on an empty history it becomes revision 1;
- when its content differs from every revision ever stored as shipped, it is appended as a
  new revision ("shipped KB updated"), but only if the active revision is itself a shipped
  one. If an administrator's revision (an edit, an import or a rollback) is active, it is
  kept: a new release never silently replaces an administrator's choice. The start-up log
  says so, and an administrator adopts the new content by importing the shipped file
  (`pishran kb import`, /kb_import or the web panel) after merging their edits into it;
- content already stored as shipped once is never added again, so rolling back from a
  shipped update to an older revision sticks across restarts.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.db import dialect_insert
from storage.models import KbRevision, KbRevisionPublic, get_datetime_utc

__all__ = [
    "SHIPPED_AUTHOR",
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
SHIPPED_AUTHOR = "shipped"
SHIPPED_UPDATE_NOTE = "shipped KB updated"
log = logging.getLogger(__name__)


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
    """The active revision after storing the shipped KB by the rule in this module's docstring."""
    active = await get_active_kb_revision(session=session)
    if active is None:
        return await _insert_shipped(
            session, SHIPPED_REVISION, content, "the knowledge base shipped with Pishran"
        )
    checksum = content_checksum(content)
    shipped = await session.scalars(
        select(KbRevision.checksum).where(col(KbRevision.author) == SHIPPED_AUTHOR)
    )
    if checksum in set(shipped):
        return active
    if active.author != SHIPPED_AUTHOR:
        log.warning(
            "the shipped knowledge base changed (checksum %s), but revision %s by %s is active:"
            " kept; import the shipped file to adopt the new content",
            checksum[:12],
            active.id,
            active.author,
        )
        return active
    revision = await _insert_shipped(session, active.id + 1, content, SHIPPED_UPDATE_NOTE)
    log.info("the shipped knowledge base changed: revision %s is active", revision.id)
    return revision


async def _insert_shipped(
    session: AsyncSession, revision_id: int, content: dict[str, Any], note: str
) -> KbRevision:
    # Replicas starting together may all try the same number: only one insert lands, and a
    # concurrent administrator's edit with that number wins over the shipped content.
    insert = dialect_insert(session, KbRevision).values(
        id=revision_id,
        created_at=get_datetime_utc(),
        author=SHIPPED_AUTHOR,
        note=note,
        checksum=content_checksum(content),
        content=content,
    )
    await session.execute(insert.on_conflict_do_nothing(index_elements=["id"]))
    active = await get_active_kb_revision(session=session)
    assert active is not None
    return active
