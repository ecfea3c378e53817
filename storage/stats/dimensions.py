"""What statistics group by: profile columns and the month of completion, dialect-aware."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Assessment, Organisation

__all__ = [
    "MAX_DIMENSIONS",
    "Dimension",
    "dimension_expression",
    "get_organisation_names",
    "month_expression",
    "parse_dimensions",
]

MAX_DIMENSIONS = 2


class Dimension(StrEnum):
    """A grouping of assessments; `organisation` is the deep-link code, never typed text."""

    SECTOR = "sector"
    REGION = "region"
    ORGANISATION = "organisation"
    ROLE = "role"
    MONTH = "month"


def parse_dimensions(text: str | Sequence[str]) -> tuple[Dimension, ...]:
    """`"sector,month"` -> (SECTOR, MONTH); at most two, no repeats; "" is the whole population."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    names = [part.strip().lower() for part in parts if part.strip()]
    try:
        dimensions = tuple(Dimension(name) for name in names)
    except ValueError:
        known = ", ".join(d.value for d in Dimension)
        raise ValueError(f"unknown grouping in {names}; choose from {known}") from None
    if len(set(dimensions)) != len(dimensions):
        raise ValueError(f"a grouping is repeated in {names}")
    if len(dimensions) > MAX_DIMENSIONS:
        raise ValueError(f"group by at most {MAX_DIMENSIONS} of {names}")
    return dimensions


def month_expression(column: Any, dialect: str) -> ColumnElement[str]:
    """`YYYY-MM` of a UTC timestamp column, in the database's own date functions."""
    # Constants are literal SQL, not bound parameters: PostgreSQL only accepts a grouped
    # expression in the select list when it is textually the same as in GROUP BY.
    if dialect == "sqlite":
        return func.strftime(literal_column("'%Y-%m'"), column)
    if dialect == "postgresql":
        utc = func.timezone(literal_column("'UTC'"), column)
        return func.to_char(utc, literal_column("'YYYY-MM'"))
    raise NotImplementedError(f"no month expression for dialect {dialect!r}")


def dimension_expression(dimension: Dimension, dialect: str) -> ColumnElement[Any]:
    """The SQL expression whose value is an assessment's group under `dimension`."""
    columns: Any = Assessment.__table__.c  # type: ignore[attr-defined]
    if dimension is Dimension.MONTH:
        return month_expression(columns.completed_at, dialect)
    if dimension is Dimension.ORGANISATION:
        # The typed organisation name is free text and may name a person; never group by it.
        return columns.org_code  # type: ignore[no-any-return]
    return columns[dimension.value]  # type: ignore[no-any-return]


async def get_organisation_names(*, session: AsyncSession) -> dict[str, str]:
    """Deep-link code -> the name an administrator gave the organisation (never typed text)."""
    rows = await session.execute(select(col(Organisation.code), col(Organisation.name)))
    return {code.lower(): name for code, name in rows.tuples()}
