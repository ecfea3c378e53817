"""The engine, URLs and migrations."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from storage.db import (
    HEAD_REVISION,
    build_alembic_config,
    build_engine,
    default_database_url,
    normalise_database_url,
    upgrade_database,
)
from storage.models import ACTIVE_ASSESSMENT_INDEX

TABLES = {
    "admin_session",
    "alembic_version",
    "answer",
    "assessment",
    "assessment_score",
    "audit_log",
    "factor_result",
    "handled_update",
    "kb_revision",
    "kb_upload",
    "organisation",
    "plan_note_expected",
    "plan_setting",
    "plan_step",
    "respondent",
    "score_slot",
    "stats_release",
    "stats_secret",
    "subfactor_recheck",
    "subfactor_result",
}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/pishran", "postgresql+asyncpg://u:p@db:5432/pishran"),
        ("postgresql://u@db/pishran", "postgresql+asyncpg://u@db/pishran"),
        ("postgresql+asyncpg://u@db/pishran", "postgresql+asyncpg://u@db/pishran"),
        ("sqlite:///data/pishran.sqlite3", "sqlite+aiosqlite:///data/pishran.sqlite3"),
        ("sqlite+aiosqlite:///x.sqlite3", "sqlite+aiosqlite:///x.sqlite3"),
    ],
)
def test_database_urls_get_their_async_driver(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_default_database_is_a_sqlite_file_in_the_working_directory() -> None:
    assert default_database_url() == "sqlite+aiosqlite:///./pishran.sqlite3"


def _head() -> str | None:
    return ScriptDirectory.from_config(build_alembic_config()).get_current_head()


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


@pytest.mark.empty_database
async def test_migrations_create_every_table(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_table_names) == TABLES
        assert (
            await connection.run_sync(_current_revision)
            == _head()
            == "0011_respondent_status_index"
        )


def test_the_head_revision_named_in_storage_is_the_migrations_head() -> None:
    # A database at HEAD_REVISION is not migrated again: a new migration must update it.
    assert _head() == HEAD_REVISION


async def test_migrations_are_idempotent(engine: AsyncEngine) -> None:
    await upgrade_database(engine)
    await upgrade_database(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_current_revision) == _head()


@pytest.mark.empty_database
async def test_upgrade_accepts_a_url_from_any_working_directory(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    await upgrade_database(database_url)
    engine = build_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_table_names) == TABLES
    finally:
        await engine.dispose()


def _schema_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def test_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_schema_differences) == []


async def test_sqlite_connections_enforce_foreign_keys_and_use_wal(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite pragmas")
    engine = build_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
            assert await connection.scalar(text("PRAGMA journal_mode")) == "wal"
            assert await connection.scalar(text("PRAGMA busy_timeout")) == 5000
    finally:
        await engine.dispose()


def _active_index_condition(connection: Connection) -> str:
    (index,) = [
        index
        for index in inspect(connection).get_indexes("assessment")
        if index["name"] == ACTIVE_ASSESSMENT_INDEX
    ]
    assert index["unique"]
    assert index["column_names"] == ["respondent_id"]
    options = index.get("dialect_options", {})
    where = options.get("sqlite_where", options.get("postgresql_where"))
    return str(where)


async def test_one_active_assessment_index_is_partial(engine: AsyncEngine) -> None:
    # compare_metadata does not look at an index's WHERE clause, so check it here.
    async with engine.connect() as connection:
        condition = await connection.run_sync(_active_index_condition)
    assert "status" in condition
    assert "'active'" in condition


def _downgrade_to_base(connection: Connection) -> None:
    config = build_alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, "base")


async def test_migrations_downgrade_to_empty_and_upgrade_again(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade_to_base)
    async with engine.connect() as connection:
        assert await connection.run_sync(_table_names) == {"alembic_version"}
    await upgrade_database(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_table_names) == TABLES
