"""The async engine, the session factory, dialect-aware inserts and programmatic migrations."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, CursorResult, Result, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.sqlite import READ_ONLY_OPTION, configure_sqlite
from storage.sqlite_driver import ENGINE_OPTIONS, use_one_trip_cursors

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "ALEMBIC_INI",
    "DEFAULT_DATABASE_PATH",
    "HEAD_REVISION",
    "build_alembic_config",
    "build_engine",
    "build_session_factory",
    "count_affected_rows",
    "default_database_url",
    "dialect_insert",
    "engine_of",
    "normalise_database_url",
    "ping_database",
    "read_only",
    "redact_database_url",
    "upgrade_database",
]

#: The default database: a SQLite file in the working directory, so trying Pishran needs
#: nothing installed. Set DATABASE_URL to a PostgreSQL URL for production or several replicas.
DEFAULT_DATABASE_PATH = Path("pishran.sqlite3")
ALEMBIC_INI = Path(__file__).with_name("alembic.ini")
# Any constant will do; it only has to be the same in every replica that starts at once.
_MIGRATION_LOCK_KEY = 0x5049_5348  # "PISH"
#: The newest migration. A database already there needs no Alembic, so a restarted bot never
#: imports it (about 12 MB of memory, bench/README.md); tests/storage/test_db.py checks that
#: this is the migrations' head, so a new migration must name itself here.
HEAD_REVISION = "0011_respondent_status_index"

_URL_PREFIXES = {
    "postgres://": "postgresql+asyncpg://",
    "postgresql://": "postgresql+asyncpg://",
    "sqlite://": "sqlite+aiosqlite://",
}


def default_database_url() -> str:
    """`sqlite+aiosqlite:///./pishran.sqlite3`: a file in the current working directory."""
    return f"sqlite+aiosqlite:///./{DEFAULT_DATABASE_PATH}"


def normalise_database_url(database_url: str) -> str:
    """Give `postgres://`, `postgresql://` and `sqlite://` URLs their async driver."""
    for prefix, replacement in _URL_PREFIXES.items():
        if database_url.startswith(prefix):
            return replacement + database_url.removeprefix(prefix)
    return database_url


async def read_only(session: AsyncSession) -> None:
    """Begin the session's transaction as a reader: on SQLite it then never waits for writers.

    Call it before the session's first statement, only where the transaction writes nothing
    (a write would then fail under contention instead of waiting its turn). Every other
    transaction on SQLite begins IMMEDIATE, holding the one write lock from its start.
    """
    await session.connection(execution_options={READ_ONLY_OPTION: True})


def redact_database_url(database_url: str) -> str:
    """The database URL with any password hidden, for logs and messages."""
    return make_url(database_url).render_as_string(hide_password=True)


async def ping_database(engine: AsyncEngine) -> None:
    """Run the cheapest statement: raises if the database cannot be reached."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


def build_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the async engine for a SQLite (aiosqlite) or PostgreSQL (asyncpg) URL.

    Errors never show the bound parameters (Telegram ids, what people typed): their text goes
    to the log and to the administrators' chat.
    """
    url = make_url(normalise_database_url(database_url))
    if url.get_backend_name() == "sqlite":
        # Writers wait for the write gate holding a connection (storage/sqlite.py) while the
        # gate's holder may need a second one for a nested read (the KB store): a bounded pool
        # could run dry and deadlock. SQLite connections are cheap: keep 8, open more at need.
        engine = create_async_engine(
            url, echo=echo, hide_parameters=True, pool_size=8, max_overflow=-1, **ENGINE_OPTIONS
        )
        configure_sqlite(engine)
        use_one_trip_cursors(engine)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_size=5,
        max_overflow=10,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={"server_settings": {"application_name": "pishran"}},
    )


def build_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose rows stay readable after commit (no lazy reloads under async)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def engine_of(session_factory: async_sessionmaker[AsyncSession]) -> AsyncEngine:
    """The engine the factory's sessions are bound to, for a use case that needs a connection
    and no session (an answer's hot path)."""
    engine = session_factory.kw.get("bind")
    if not isinstance(engine, AsyncEngine):
        raise TypeError(f"the session factory is bound to {engine!r}, not to an AsyncEngine")
    return engine


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that supports `on_conflict_do_*` on the session's dialect."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"unsupported database dialect {dialect!r}")


def count_affected_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched."""
    return cast(CursorResult[Any], result).rowcount


def build_alembic_config() -> Config:
    """The Alembic configuration of the packaged migrations, independent of the working dir."""
    from alembic.config import Config  # only when migrating (HEAD_REVISION)

    return Config(str(ALEMBIC_INI))


def _upgrade(connection: Connection, revision: str) -> None:
    from alembic import command  # only when migrating (HEAD_REVISION)

    config = build_alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def _at_head(engine: AsyncEngine) -> bool:
    """Whether the database's recorded migration is HEAD_REVISION (read without Alembic)."""
    async with engine.connect() as connection:
        await connection.execution_options(**{READ_ONLY_OPTION: True})
        try:
            current = await connection.scalar(text("SELECT version_num FROM alembic_version"))
        except DBAPIError:  # no version table yet: a new database
            return False
    return bool(current == HEAD_REVISION)


async def upgrade_database(engine_or_url: AsyncEngine | str, revision: str = "head") -> None:
    """Apply the Alembic migrations up to `revision`; safe to call on every start-up.

    A database already at the head is left alone without importing Alembic.
    """
    if isinstance(engine_or_url, str):
        engine = build_engine(engine_or_url)
        try:
            await upgrade_database(engine, revision)
        finally:
            await engine.dispose()
        return
    if revision == "head" and await _at_head(engine_or_url):
        return
    async with engine_or_url.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Replicas starting together take turns; the lock ends with the transaction.
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        await connection.run_sync(_upgrade, revision)
