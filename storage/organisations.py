"""Organisations: agencies with a deep-link code, and how many respondents each one brought."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Assessment, Organisation

__all__ = [
    "OrganisationCount",
    "create_organisation",
    "get_organisation_by_code",
    "get_organisation_by_name",
    "list_organisations",
]


class OrganisationCount(NamedTuple):
    """An organisation and the number of distinct respondents who came through its code."""

    organisation: Organisation
    respondents: int


async def create_organisation(
    *, session: AsyncSession, code: str, name: str, created_by: str
) -> Organisation:
    """Add an organisation; a taken code or name fails on its unique constraint."""
    organisation = Organisation(code=code, name=name, created_by=created_by)
    session.add(organisation)
    await session.flush()
    return organisation


async def get_organisation_by_code(*, session: AsyncSession, code: str) -> Organisation | None:
    """The organisation with this deep-link code (codes are stored in lower case)."""
    return await session.scalar(select(Organisation).where(col(Organisation.code) == code.lower()))


async def get_organisation_by_name(*, session: AsyncSession, name: str) -> Organisation | None:
    """The organisation with exactly this name."""
    return await session.scalar(select(Organisation).where(col(Organisation.name) == name))


async def list_organisations(*, session: AsyncSession) -> list[OrganisationCount]:
    """Every organisation, oldest first, with its count of distinct respondents."""
    respondents = func.count(func.distinct(col(Assessment.respondent_id)))
    statement = (
        select(Organisation, respondents)
        .join(Assessment, col(Assessment.org_code) == col(Organisation.code), isouter=True)
        .group_by(col(Organisation.id))
        .order_by(col(Organisation.id))
    )
    rows = await session.execute(statement)
    return [OrganisationCount(organisation, int(count)) for organisation, count in rows.all()]
