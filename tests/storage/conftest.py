"""Real databases for storage tests: a SQLite file always, PostgreSQL when one is configured.

Set PISHRAN_TEST_POSTGRES_URL to a server URL whose user may create databases, e.g.
postgresql+asyncpg://postgres@127.0.0.1:55432/postgres (`./dev test` starts such a server);
each test gets its own database, a copy of one migrated to head (tests/auxil/databases.py),
dropped afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

from storage.db import (
    build_engine,
    build_session_factory,
    upgrade_database,
)
from storage.models import Respondent
from tests.storage.factories import create_respondent


@pytest.fixture
async def engine(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a database migrated to head by the real migrations."""
    engine = build_engine(database_url)
    if request.node.get_closest_marker("empty_database") is not None:
        await upgrade_database(engine)  # other tests get a copy of a database migrated so
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The application's session factory on the test database."""
    return build_session_factory(engine)


@pytest.fixture
async def session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session for one test; what it does not commit is rolled back."""
    async with session_factory() as session:
        yield session


@pytest.fixture
async def respondent(session: AsyncSession) -> Respondent:
    """A committed respondent."""
    return await create_respondent(session)
