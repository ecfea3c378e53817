"""Statistics releases: answer counts move only when k new people have completed, at most
once per period, and never by one person."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from knowledge import KnowledgeBase
from storage.models import Assessment, StatsRelease
from storage.stats import cut_release, get_release, list_answer_counts
from tests.storage.stats_data import Spec, Stored, store_specs

K = 5
NOW = timedelta(0)


def people(first: int, count: int, *, respondent: int | None = None) -> list[Spec]:
    return [
        Spec(respondent=first + i if respondent is None else respondent, values=(i % 5,))
        for i in range(count)
    ]


async def unreleased(session: AsyncSession) -> int:
    pending = select(func.count()).where(
        col(Assessment.status) == "completed", col(Assessment.release_id).is_(None)
    )
    count = int(await session.scalar(pending) or 0)
    await session.commit()
    return count


async def test_a_release_needs_k_completions_by_k_people(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    async with session_factory() as session:
        await store_specs(session, shipped_kb, people(1, K - 1), Stored())
        assert await cut_release(session=session, k=K, every=NOW) is None
        # k assessments, but two of them by one person: still under k people.
        await store_specs(session, shipped_kb, people(50, 1, respondent=1), Stored())
        assert await cut_release(session=session, k=K, every=NOW) is None
        assert await list_answer_counts(session=session, k=1) == []
        await session.commit()
        await store_specs(session, shipped_kb, people(10, 1), Stored())
        release = await cut_release(session=session, k=K, every=NOW)
        assert release is not None and release.follows == 0
        assert await unreleased(session) == 0
        assert await list_answer_counts(session=session, k=1) != []


async def test_one_more_completion_changes_nothing_until_k_more_came(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    async with session_factory() as session:
        await store_specs(session, shipped_kb, people(1, K), Stored())
        first = await cut_release(session=session, k=K, every=NOW)
        counts = await list_answer_counts(session=session, k=1)
        await session.commit()
        for number in range(K - 1):
            await store_specs(session, shipped_kb, people(100 + number, 1), Stored())
            assert await cut_release(session=session, k=K, every=NOW) == first
            assert await list_answer_counts(session=session, k=1) == counts
            await session.commit()
        await store_specs(session, shipped_kb, people(200, 1), Stored())
        second = await cut_release(session=session, k=K, every=NOW)
    assert first is not None and second is not None
    assert second.follows == first.id


async def test_at_most_one_release_per_period(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    day = timedelta(hours=24)
    async with session_factory() as session:
        await store_specs(session, shipped_kb, people(1, K), Stored())
        first = await cut_release(session=session, k=K, every=day)
        assert first is not None
        await store_specs(session, shipped_kb, people(100, K), Stored())
        soon = await cut_release(session=session, k=K, every=day, now=first.cut_at + day / 2)
        later = await cut_release(session=session, k=K, every=day, now=first.cut_at + day)
    assert soon == first
    assert later is not None and later.follows == first.id


async def test_concurrent_cuts_make_one_release(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    async with session_factory() as session:
        await store_specs(session, shipped_kb, people(1, K), Stored())
    async with session_factory() as one, session_factory() as two:
        results = await asyncio.gather(
            cut_release(session=one, k=K, every=NOW), cut_release(session=two, k=K, every=NOW)
        )
    async with session_factory() as session:
        releases = list(await session.scalars(select(StatsRelease)))
        latest = await get_release(session=session)
    assert len(releases) == 1
    assert latest is not None and all(r is not None and r.id == latest.id for r in results)
