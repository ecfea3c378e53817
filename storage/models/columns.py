"""What every table shares: the constraint naming convention and the UTC timestamp columns."""

# No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

__all__ = ["UtcDateTime", "get_datetime_utc", "optional_timestamp", "timestamp"]

# Named constraints keep SQLite batch migrations and PostgreSQL in step.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def get_datetime_utc() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """`DateTime(timezone=True)` that always returns aware UTC datetimes, on SQLite too."""

    # SQLite has no time zone type and hands back naive values; comparing those with
    # get_datetime_utc() would raise, but only on SQLite.
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store timezone-aware values")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def timestamp(*, index: bool = False) -> Any:
    """A column set to the current UTC time when the row is made."""
    return Field(default_factory=get_datetime_utc, sa_type=UtcDateTime, index=index)


def optional_timestamp(*, index: bool = False) -> Any:
    """A UTC time column that stays NULL until something happens."""
    return Field(default=None, sa_type=UtcDateTime, index=index)
