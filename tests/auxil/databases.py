"""Test databases at the migrations' head, migrated once per test process instead of per test.

Nearly every database test runs on SQLite and on PostgreSQL, and running the real migrations,
or even creating a PostgreSQL database, takes longer than most tests. So each test process (each
pytest-xdist worker) runs the migrations once per backend, the first time a test needs it:
- SQLite: into a template file, which is copied for each test;
- PostgreSQL: into a database of this process, which after each test is emptied (TRUNCATE, its
  sequences restarted) once every connection to it is closed, and is made again from scratch if
  the test left its schema anything but what the migrations made.
A test that must see the migrations run on an empty database is marked
`@pytest.mark.empty_database` and gets a new, empty database of its own.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from storage.db import build_engine, normalise_database_url, upgrade_database

__all__ = ["Databases", "worker_name"]

VERSION_TABLE = "alembic_version"
# Tables whose rows the migrations make (the statistics noise secret): kept between tests.
SEEDED_TABLES = frozenset({"stats_secret"})


def worker_name() -> str:
    """This test process's pytest-xdist worker (`gw0`, `gw1`, ...), or `main` without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def sqlite_url(path: Path) -> str:
    """The async URL of a SQLite file."""
    return f"sqlite+aiosqlite:///{path}"


async def _migrate(url: str) -> None:
    engine = build_engine(url)
    try:
        await upgrade_database(engine)
    finally:
        await engine.dispose()  # the last connection closing checkpoints SQLite's WAL


def _schema(connection: Connection) -> tuple[frozenset[str], str | None]:
    tables = frozenset(inspect(connection).get_table_names())
    version = None
    if VERSION_TABLE in tables:
        version = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return tables, version


class Databases:
    """The databases of this test process's tests: what it migrated once, and fresh ones."""

    def __init__(self, directory: Path, server_url: str | None) -> None:
        self._directory = directory
        self._server = make_url(normalise_database_url(server_url)) if server_url else None
        self._prefix = f"pishran_test_{worker_name()}_{uuid.uuid4().hex[:8]}"
        self._count = 0
        self._sqlite_template: Path | None = None
        self._postgres: str | None = None  # the migrated database the tests share, one at a time
        self._postgres_schema: tuple[frozenset[str], str | None] | None = None

    async def sqlite(self, path: Path, *, empty: bool) -> str:
        """A SQLite file at `path`: a copy of the migrated template, or no file at all."""
        if empty:
            return sqlite_url(path)
        if self._sqlite_template is None:
            template = self._directory / "template.sqlite3"
            await _migrate(sqlite_url(template))
            self._sqlite_template = template
        shutil.copyfile(self._sqlite_template, path)
        return sqlite_url(path)

    @asynccontextmanager
    async def postgresql(self, *, empty: bool) -> AsyncIterator[str]:
        """A PostgreSQL database for one test: emptied after it, or new and dropped if `empty`."""
        admin = self._admin()
        try:
            if empty:
                name = await self._create(admin)
                try:
                    yield self._url(name)
                finally:
                    await self._drop(admin, name)
                return
            name = await self._migrated(admin)
            try:
                yield self._url(name)
            finally:
                await self._reset(admin, name)
        finally:
            await admin.dispose()

    async def close(self) -> None:
        """Drop this process's migrated PostgreSQL database, if it made one."""
        if self._postgres is None:
            return
        admin = self._admin()
        try:
            await self._drop(admin, self._postgres)
        finally:
            await admin.dispose()
        self._postgres = None

    def _admin(self) -> AsyncEngine:
        return create_async_engine(
            self._server_url(), poolclass=NullPool, isolation_level="AUTOCOMMIT"
        )

    def _server_url(self) -> URL:
        if self._server is None:
            raise RuntimeError("no PostgreSQL server configured")
        return self._server

    def _url(self, name: str) -> str:
        return self._server_url().set(database=name).render_as_string(hide_password=False)

    async def _create(self, admin: AsyncEngine) -> str:
        self._count += 1
        name = f"{self._prefix}_{self._count}"
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        return name

    async def _drop(self, admin: AsyncEngine, name: str) -> None:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    async def _migrated(self, admin: AsyncEngine) -> str:
        if self._postgres is not None:
            return self._postgres
        name = await self._create(admin)
        await _migrate(self._url(name))
        engine = create_async_engine(self._url(name), poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                self._postgres_schema = await connection.run_sync(_schema)
                for table in self._postgres_schema[0] - {VERSION_TABLE} - SEEDED_TABLES:
                    # Emptying the tables must give back what the migrations made.
                    rows = await connection.scalar(text(f'SELECT count(*) FROM "{table}"'))
                    assert rows == 0, f"the migrations put rows in {table}: adapt {__name__}"
        finally:
            await engine.dispose()
        self._postgres = name
        return name

    async def _reset(self, admin: AsyncEngine, name: str) -> None:
        """Close every connection to the database, then empty it; if the test changed its
        schema or dropped it, or it cannot be emptied, the next test gets a new one."""
        async with admin.connect() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            # Some tests drop their database on purpose (tests/bot/test_web.py).
            exists = await connection.scalar(
                text("SELECT count(*) FROM pg_database WHERE datname = :name"), {"name": name}
            )
        if not exists or not await self._empty(name):
            self._postgres = None
            await self._drop(admin, name)

    async def _empty(self, name: str) -> bool:
        engine = create_async_engine(self._url(name), poolclass=NullPool)
        try:
            async with engine.begin() as connection:
                schema = await connection.run_sync(_schema)
                if schema != self._postgres_schema:
                    return False
                await connection.execute(text("SET LOCAL lock_timeout = '10s'"))
                kept = {VERSION_TABLE} | SEEDED_TABLES
                tables = ", ".join(f'"{t}"' for t in sorted(schema[0] - kept))
                await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                return True
        except DBAPIError:  # the lock was not granted: something still holds the tables
            return False
        finally:
            await engine.dispose()
