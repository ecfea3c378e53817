"""Knowledge base revisions and uploaded documents awaiting confirmation."""

# No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from storage.models.columns import optional_timestamp, timestamp

__all__ = ["KbRevision", "KbRevisionPublic", "KbUpload", "KbUploadStatus"]


class KbRevisionPublic(SQLModel):
    """A knowledge base revision without its content, for history lists."""

    # Assigned by storage (1 = shipped, then max + 1), never by a sequence, so that the
    # numbers are the same on every database and a concurrent second writer fails loudly.
    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    created_at: datetime = timestamp()
    author: str
    note: str = ""
    checksum: str


class KbRevision(KbRevisionPublic, table=True):
    """One revision of the knowledge base document; the highest id is the active one."""

    __tablename__ = "kb_revision"

    content: dict[str, Any] = Field(sa_type=JSON)


class KbUploadStatus(StrEnum):
    """What became of an uploaded KB document: it waits, or was activated or dropped."""

    PENDING = "pending"
    ACTIVATED = "activated"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    STALE = "stale"


class KbUpload(SQLModel, table=True):
    """A validated KB document awaiting Confirm; kept here so that a restart loses nothing."""

    __tablename__ = "kb_upload"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = timestamp()
    author: str
    filename: str
    note: str = ""
    # The revision the change summary was computed against; Confirm refuses if it moved on.
    base_revision: int
    checksum: str
    content: dict[str, Any] = Field(sa_type=JSON)
    status: str = Field(default=KbUploadStatus.PENDING.value)
    decided_at: datetime | None = optional_timestamp()
    decided_by: str | None = None
    revision: int | None = None
