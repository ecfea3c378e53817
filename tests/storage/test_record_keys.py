"""Record keys: every assessment has a secret random one, existing ones get theirs in 0006."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Connection, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col

from knowledge import KnowledgeBase
from storage.db import build_alembic_config, upgrade_database
from storage.models import RECORD_KEY_MODULUS, Assessment
from tests.storage.stats_data import Spec, Stored, record_keys, store_specs

SPECS = [Spec(respondent=i) for i in range(6)] + [Spec(respondent=9, unfinished="active")]


def _downgrade(connection: Connection, revision: str) -> None:
    config = build_alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def _assessment_columns(connection: Connection) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns("assessment")}


async def test_every_new_assessment_gets_its_own_key(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    async with session_factory() as session:
        keys = await record_keys(session, await store_specs(session, shipped_kb, SPECS, Stored()))
    assert all(0 <= key < RECORD_KEY_MODULUS for key in keys)
    assert len(set(keys)) == len(keys)  # 31 random bits each: a repeat would be a bug


async def test_upgrading_from_0004_gives_existing_assessments_random_keys(
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    shipped_kb: KnowledgeBase,
) -> None:
    async with session_factory() as session:
        ids = await store_specs(session, shipped_kb, SPECS, Stored())
        before = await record_keys(session, ids)
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade, "0004")
        assert not {"record_key", "release_id"} & await connection.run_sync(_assessment_columns)
    await upgrade_database(engine)

    async with session_factory() as session:
        after = await record_keys(session, ids)
        released = list(await session.scalars(select(col(Assessment.release_id))))
    assert all(0 <= key < RECORD_KEY_MODULUS for key in after)
    assert len(set(after)) == len(after) and after != before
    assert released == [None] * len(SPECS)
