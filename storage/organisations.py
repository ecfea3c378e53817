"""Organisations: agencies with a deep-link code, and how many respondents each one brought.

The counts are published figures like any statistic (storage/stats/disclosure.py): under k,
None ("fewer than k"); otherwise perturbed with the same cell key as the organisation's group
in the statistics, so that the two agree and neither can be played against the other.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import and_, distinct, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Assessment, AssessmentStatus, Organisation, status_is
from storage.stats.disclosure import cell_key, get_noise

__all__ = [
    "OrganisationCount",
    "create_organisation",
    "get_organisation_by_code",
    "get_organisation_by_name",
    "list_organisations",
]


class OrganisationCount(NamedTuple):
    """An organisation and how many people completed an assessment through its code.

    `respondents` is published: perturbed, None under k.
    """

    organisation: Organisation
    respondents: int | None


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


async def list_organisations(*, session: AsyncSession, k: int) -> list[OrganisationCount]:
    """Every organisation, oldest first, with its published count of respondents."""
    completed = and_(
        col(Assessment.org_code) == col(Organisation.code),
        status_is(AssessmentStatus.COMPLETED),
    )
    statement = (
        select(
            Organisation,
            func.count(col(Assessment.id)),
            func.count(distinct(col(Assessment.respondent_id))),
            cell_key(col(Assessment.record_key)),
        )
        .join(Assessment, completed, isouter=True)
        .group_by(col(Organisation.id))
        .order_by(col(Organisation.id))
    )
    rows = await session.execute(statement)
    noise = await get_noise(session)
    return [
        OrganisationCount(
            organisation,
            # The key and the noise of the organisation's group in the statistics (its n).
            noise.count(people, key, k, respondents=people) if assessments >= k else None,
        )
        for organisation, assessments, people, key in rows.all()
    ]
