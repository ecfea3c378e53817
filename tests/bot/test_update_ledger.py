"""The webhook's ledger of update ids: once each, across replicas, pruned after two days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.update_ledger import RETENTION, UpdateLedger
from storage.db import build_engine, build_session_factory, upgrade_database
from storage.handled_updates import HandledUpdate


async def count(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(HandledUpdate)) or 0)


async def test_two_replicas_claim_an_update_once_and_old_ids_are_pruned(database_url: str) -> None:
    engine = build_engine(database_url)
    await upgrade_database(engine)
    try:
        session_factory = build_session_factory(engine)
        now = [datetime(2026, 12, 7, 10, 0, tzinfo=UTC)]
        first = UpdateLedger(session_factory, clock=lambda: now[0])
        second = UpdateLedger(session_factory, clock=lambda: now[0])

        assert await first.claim(1) and not await second.claim(1)
        assert await second.claim(2) and not await first.claim(2)
        now[0] += timedelta(minutes=30)  # within the hour: nothing pruned yet
        assert not await first.claim(1)
        now[0] += RETENTION + timedelta(hours=1)
        assert await first.claim(3)  # its hourly prune drops ids 1 and 2
        assert await count(session_factory) == 1
    finally:
        await engine.dispose()
