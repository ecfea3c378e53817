"""Completed assessments for statistics tests, with identifiers planted that must never leak."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from knowledge import KnowledgeBase, QuestionSet
from storage.models import Assessment, AssessmentStatus
from storage.stats.disclosure import Noise, get_noise
from tests.storage.stats_data import (
    TELEGRAM_BASE,
    TYPED_ORGANISATION,
    Spec,
    Stored,
    cell_key,
    store_specs,
)

#: The respondent numbers whose Telegram ids are TELEGRAM_BASE + number.
PLANTED_RESPONDENT = 87_654_321
ORG_CODE = "water"
STATS_TOKEN = "stats-token-for-tests-0123456789"


@dataclass(frozen=True)
class Seeded:
    """What was stored: the Telegram ids and typed texts that no export may contain."""

    telegram_ids: tuple[int, ...]
    typed_texts: tuple[str, ...]


def seed_specs() -> list[Spec]:
    """Six in health (five people, one of them planted, all with the "water" link code,
    some detailed), two in education (left out at k=5), five in utilities, in two months."""
    health = [
        Spec(
            respondent=PLANTED_RESPONDENT if i == 0 else i,
            sector="health",
            org_code=ORG_CODE,
            month=1 + i % 2,
            question_set=QuestionSet.DETAILED if i % 2 else QuestionSet.CORE,
            values=(i % 5, 4, 2, None),
        )
        for i in range(5)
    ]
    again = Spec(respondent=1, sector="health", org_code=ORG_CODE, month=2, values=(3,))
    education = [Spec(respondent=50 + i, sector="education", values=(1,)) for i in range(2)]
    utilities = [Spec(respondent=70 + i, sector="utilities", values=(2,)) for i in range(5)]
    return [*health, again, *education, *utilities]


async def seed_statistics(
    session_factory: async_sessionmaker[AsyncSession], kb: KnowledgeBase
) -> Seeded:
    """Store `seed_specs()` (TYPED_ORGANISATION typed by those without a link code)."""
    specs = seed_specs()
    async with session_factory() as session:
        await store_specs(session, kb, specs, Stored())
    return Seeded(
        telegram_ids=tuple(TELEGRAM_BASE + spec.respondent for spec in specs),
        typed_texts=(TYPED_ORGANISATION,),
    )


async def completed_cell(
    session_factory: async_sessionmaker[AsyncSession], **where: str
) -> tuple[int, int, int]:
    """The completed assessments whose columns equal `where` (e.g. sector="health"): how
    many, by how many people, and their cell key, computed here from the stored record keys."""
    conditions = [col(Assessment.status) == AssessmentStatus.COMPLETED.value]
    conditions += [getattr(Assessment, name) == value for name, value in where.items()]
    async with session_factory() as session:
        rows = (
            await session.execute(
                select(col(Assessment.record_key), col(Assessment.respondent_id)).where(*conditions)
            )
        ).all()
    people = {respondent for _, respondent in rows}
    return len(rows), len(people), cell_key(key for key, _ in rows)


async def published_count(
    session_factory: async_sessionmaker[AsyncSession], k: int, **where: str
) -> int | None:
    """The count the statistics publish for the completed assessments matching `where`."""
    n, people, key = await completed_cell(session_factory, **where)
    return (await noise_of(session_factory)).count(n, key, k, respondents=people)


async def noise_of(session_factory: async_sessionmaker[AsyncSession]) -> Noise:
    """The deployment's noise (tests may read its secret; nothing published contains it)."""
    async with session_factory() as session:
        return await get_noise(session)


def readable_text(content: bytes, file_format: str) -> str:
    """Everything a reader of the file could see: the text, or every part of an XLSX zip."""
    if file_format != "xlsx":
        return content.decode("utf-8-sig")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
