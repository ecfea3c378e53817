"""Uploaded KB documents awaiting an administrator's Confirm or Cancel (they survive restarts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import count_affected_rows
from storage.kb_revisions import content_checksum
from storage.models import KbUpload, KbUploadStatus, get_datetime_utc

__all__ = ["add_kb_upload", "decide_kb_upload", "get_kb_upload", "set_kb_upload_revision"]


async def add_kb_upload(
    *,
    session: AsyncSession,
    content: dict[str, Any],
    author: str,
    filename: str,
    base_revision: int,
    note: str = "",
) -> KbUpload:
    """Keep a validated document until it is confirmed or cancelled."""
    upload = KbUpload(
        author=author,
        filename=filename,
        note=note,
        base_revision=base_revision,
        checksum=content_checksum(content),
        content=content,
    )
    session.add(upload)
    await session.flush()
    return upload


async def get_kb_upload(*, session: AsyncSession, upload_id: int) -> KbUpload | None:
    """The upload with this id, whatever its status."""
    return await session.get(KbUpload, upload_id)


async def decide_kb_upload(
    *, session: AsyncSession, upload_id: int, status: KbUploadStatus, decided_by: str
) -> bool:
    """Move a pending upload to `status`; False when it was no longer pending."""
    # One conditional UPDATE: of two concurrent presses, exactly one finds it pending.
    result = await session.execute(
        update(KbUpload)
        .where(col(KbUpload.id) == upload_id, col(KbUpload.status) == KbUploadStatus.PENDING)
        .values(status=status.value, decided_by=decided_by, decided_at=get_datetime_utc())
        .execution_options(synchronize_session=False)
    )
    return count_affected_rows(result) == 1


async def set_kb_upload_revision(*, session: AsyncSession, upload_id: int, revision: int) -> None:
    """Record the revision an activated upload became."""
    await session.execute(
        update(KbUpload)
        .where(col(KbUpload.id) == upload_id)
        .values(revision=revision)
        .execution_options(synchronize_session=False)
    )
