"""What administrators keep: the audit log and the organisations with their codes."""

# No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, text
from sqlmodel import Field, SQLModel

from storage.models.columns import timestamp

__all__ = ["AuditLog", "Organisation"]


class AuditLog(SQLModel, table=True):
    """One administrative action: who, what, when, with details."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp(index=True)
    actor: str
    action: str
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # Refusals are counted, not listed: one row per action, source and minute (its `bucket`).
    count: int = Field(default=1, sa_column_kwargs={"server_default": text("1")})
    bucket: str | None = Field(default=None, unique=True, index=True)


class Organisation(SQLModel, table=True):
    """An agency with a deep-link code that presets the organisation of its staff."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str = Field(unique=True)
    created_at: datetime = timestamp()
    created_by: str
