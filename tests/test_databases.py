"""The test databases (tests/auxil/databases.py): every test starts at head with no rows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.db import build_alembic_config, build_engine, build_session_factory
from storage.models import Respondent
from storage.respondents import get_or_create_respondent
from tests.auxil.databases import SEEDED_TABLES, Databases
from tests.conftest import POSTGRES_URL_VARIABLE


def _state(connection: Connection) -> tuple[str | None, dict[str, int]]:
    """The migration revision, and the number of rows in each table."""
    revision = MigrationContext.configure(connection).get_current_revision()
    # The migrations' own rows (the statistics noise secret) are part of "at head".
    ignored = {"alembic_version", *SEEDED_TABLES}
    tables = [t for t in inspect(connection).get_table_names() if t not in ignored]
    rows = {
        t: int(connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()) for t in tables
    }
    return revision, rows


async def _state_of(url: str) -> tuple[str | None, dict[str, int]]:
    engine = build_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_state)
    finally:
        await engine.dispose()


async def _add_respondent(url: str, telegram_id: int) -> int | None:
    """Store a respondent; return its id."""
    engine = build_engine(url)
    try:
        async with build_session_factory(engine)() as session:
            respondent = await get_or_create_respondent(session=session, telegram_id=telegram_id)
            await session.commit()
            return respondent.id
    finally:
        await engine.dispose()


HEAD = ScriptDirectory.from_config(build_alembic_config()).get_current_head()


async def test_a_test_database_is_at_head_with_no_rows(database_url: str) -> None:
    revision, rows = await _state_of(database_url)
    assert revision == HEAD
    assert rows and set(rows.values()) == {0}


@pytest.mark.empty_database
async def test_an_empty_database_has_no_tables(database_url: str) -> None:
    assert await _state_of(database_url) == (None, {})


async def test_sqlite_copies_share_nothing(tmp_path: Path) -> None:
    databases = Databases(tmp_path, None)
    first = await databases.sqlite(tmp_path / "first.sqlite3", empty=False)
    second = await databases.sqlite(tmp_path / "second.sqlite3", empty=False)
    assert await _add_respondent(first, 1001) == 1
    assert (await _state_of(first))[1]["respondent"] == 1
    revision, rows = await _state_of(second)
    assert revision == HEAD and rows["respondent"] == 0


# database_url only for its skip (or failure under PISHRAN_REQUIRE_POSTGRES) without a server.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_postgresql_is_emptied_between_tests_and_remade_when_dropped(
    database_url: str, tmp_path: Path
) -> None:
    server_url = os.environ[POSTGRES_URL_VARIABLE]
    databases = Databases(tmp_path, server_url)
    try:
        async with databases.postgresql(empty=False) as url:
            assert await _add_respondent(url, 1001) == 1
            assert await _add_respondent(url, 1002) == 2
        async with databases.postgresql(empty=False) as again:
            assert again == url  # the same database, emptied, its sequences restarted
            revision, rows = await _state_of(again)
            assert revision == HEAD and set(rows.values()) == {0}
            assert await _add_respondent(again, 1003) == 1
            admin = create_async_engine(
                make_url(again).set(database="postgres"),
                poolclass=NullPool,
                isolation_level="AUTOCOMMIT",
            )
            async with admin.connect() as connection:  # as tests/bot/test_web.py does
                await connection.execute(
                    text(f'DROP DATABASE "{make_url(again).database}" WITH (FORCE)')
                )
            await admin.dispose()
        async with databases.postgresql(empty=False) as remade:
            assert remade != url
            assert (await _state_of(remade))[0] == HEAD
            engine = build_engine(remade)
            async with engine.connect() as connection:
                assert await connection.scalar(select(func.count()).select_from(Respondent)) == 0
            await engine.dispose()
    finally:
        await databases.close()
