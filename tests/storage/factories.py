"""Test data builders for storage tests."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from storage.assessments import start_assessment
from storage.models import Assessment, Respondent
from storage.respondents import get_or_create_respondent

PROFILE: Mapping[str, str] = {
    "sector": "health",
    "region": "tehran",
    "organisation": "وزارت بهداشت",
    "role": "manager",
}


def random_telegram_id() -> int:
    """A Telegram id beyond 32 bits, as real ones are."""
    return 10**12 + uuid.uuid4().int % 10**12


async def create_respondent(session: AsyncSession, telegram_id: int | None = None) -> Respondent:
    """A committed respondent."""
    respondent = await get_or_create_respondent(
        session=session, telegram_id=telegram_id or random_telegram_id()
    )
    await session.commit()
    return respondent


async def create_assessment(
    session: AsyncSession, respondent: Respondent, profile: Mapping[str, str] | None = None
) -> Assessment:
    """A committed active assessment under KB revision 1."""
    assert respondent.id is not None
    assessment = await start_assessment(
        session=session, respondent_id=respondent.id, kb_revision=1, profile=profile
    )
    await session.commit()
    return assessment
