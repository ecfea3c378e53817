"""The sector means beside a respondent's results: the sector's live cell, read from the database
at most once per period in a process, on the real database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.statistics.sector_means import SectorMeans
from knowledge import KnowledgeBase
from storage.db import build_engine, build_session_factory
from storage.stats import get_peer_factor_means
from tests.auxil.service_walk import answer_core, sqlite_runtime
from tests.storage.stats_data import Spec, Stored, store_specs

K = 3


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = build_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return build_session_factory(engine)


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements the engine runs inside the block."""
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def complete(
    session_factory: async_sessionmaker[AsyncSession],
    kb: KnowledgeBase,
    people: range,
    value: int,
    sector: str = "health",
) -> None:
    """`people` complete the core checklist in `sector`, answering `value` throughout."""
    specs = [Spec(respondent=n, sector=sector, values=(value,)) for n in people]
    async with session_factory() as session:
        await store_specs(session, kb, specs, Stored())


async def shown(
    means: SectorMeans, session_factory: async_sessionmaker[AsyncSession], sector: str | None
) -> dict[str, float] | None:
    async with session_factory() as session:
        found = await means.of(session, sector)
    return None if found is None else dict(found)


async def live(
    session_factory: async_sessionmaker[AsyncSession], sector: str
) -> dict[str, float] | None:
    async with session_factory() as session:
        found = await get_peer_factor_means(session=session, sector=sector, k=K)
    return None if found is None else dict(found)


async def test_a_sectors_means_are_read_once_per_period_then_read_again(
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    shipped_kb: KnowledgeBase,
) -> None:
    clock = Clock()
    means = SectorMeans(k=K, ttl=60, clock=clock)
    await complete(session_factory, shipped_kb, range(K), value=1)
    before = await live(session_factory, "health")
    assert before is not None

    assert await shown(means, session_factory, "health") == before
    await complete(session_factory, shipped_kb, range(K, 3 * K), value=4)
    after = await live(session_factory, "health")
    assert after is not None and after != before

    clock.now += 59.9
    with statements(engine) as seen:
        assert await shown(means, session_factory, "health") == before  # kept: nothing read
    assert seen == []
    clock.now += 0.1
    with statements(engine) as seen:
        assert await shown(means, session_factory, "health") == after  # the period is over
    assert seen != []


async def test_a_sector_under_k_is_kept_as_unpublished_until_the_period_ends(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    clock = Clock()
    means = SectorMeans(k=K, ttl=60, clock=clock)
    await complete(session_factory, shipped_kb, range(K - 1), value=2)
    assert await shown(means, session_factory, "health") is None
    await complete(session_factory, shipped_kb, range(K - 1, K), value=2)
    assert await shown(means, session_factory, "health") is None
    clock.now += 60
    published = await shown(means, session_factory, "health")
    assert published is not None and published == await live(session_factory, "health")


async def test_sectors_are_kept_apart_and_no_sector_reads_nothing(
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    shipped_kb: KnowledgeBase,
) -> None:
    means = SectorMeans(k=K, ttl=60, clock=Clock())
    await complete(session_factory, shipped_kb, range(K), value=3)
    assert await shown(means, session_factory, "health") is not None
    assert await shown(means, session_factory, "education") is None
    with statements(engine) as seen:
        assert await shown(means, session_factory, None) is None
        assert await shown(means, session_factory, "") is None
    assert seen == []


async def test_a_period_of_zero_reads_at_every_call(
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    shipped_kb: KnowledgeBase,
) -> None:
    means = SectorMeans(k=K, ttl=0, clock=Clock())  # the clock never moves
    await complete(session_factory, shipped_kb, range(K), value=0)
    first = await shown(means, session_factory, "health")
    await complete(session_factory, shipped_kb, range(K, 2 * K), value=4)
    with statements(engine) as seen:
        second = await shown(means, session_factory, "health")
    assert seen != []
    assert second == await live(session_factory, "health") != first


def test_a_negative_period_is_refused() -> None:
    with pytest.raises(ValueError, match="ttl"):
        SectorMeans(k=K, ttl=-1)


@pytest.mark.parametrize(("seconds", "kept"), [("60", True), ("0", False)])
async def test_results_show_the_sector_means_read_within_the_configured_period(
    tmp_path: Path, shipped_kb: KnowledgeBase, seconds: str, kept: bool
) -> None:
    # The checklist as the bot builds it from its settings (STATS_K 5).
    async with sqlite_runtime(tmp_path / "db.sqlite3", STATS_SECTOR_MEANS_SECONDS=seconds) as bot:
        sector = shipped_kb.profile.sectors[0].key
        factory = bot.session_factory
        await complete(factory, shipped_kb, range(5), value=1, sector=sector)
        first = (await answer_core(bot, 1, lambda n: 2)).results
        await complete(factory, shipped_kb, range(5, 15), value=4, sector=sector)
        second = (await answer_core(bot, 2, lambda n: 2)).results
    assert first is not None and second is not None
    assert first.sector_means is not None and second.sector_means is not None
    assert (second.sector_means == first.sector_means) is kept
