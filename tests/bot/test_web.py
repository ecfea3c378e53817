"""The web app's own routes: health, and no webhook route unless it serves a bot."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.application import Runtime, start_runtime
from bot.settings import Settings
from bot.web import SECRET_HEADER, build_web_app

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


def web_settings(database_url: str) -> Settings:
    """Settings for the web app alone (no bot token needed)."""
    values = {"database_url": database_url, "webhook_secret": "s3cret-for-tests"}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


@pytest.fixture
async def own_database_url(database_url: str, tmp_path: Path) -> str:
    """The test database; on SQLite a file alone in its own folder, so the folder can go."""
    if make_url(database_url).get_backend_name() != "sqlite":
        return database_url
    folder = tmp_path / "data"
    folder.mkdir()
    return f"sqlite+aiosqlite:///{folder / 'pishran.sqlite3'}"


@pytest.fixture
async def runtime(own_database_url: str) -> AsyncIterator[Runtime]:
    """A migrated database and the services, without a bot."""
    started = await start_runtime(web_settings(own_database_url))
    yield started
    await started.close()


async def test_health_reports_the_active_kb_revision(
    runtime: Runtime, own_database_url: str, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(build_web_app(web_settings(own_database_url), runtime))

    response = await client.get("/healthz")

    assert response.status == 200
    assert await response.json() == {"status": "ok", "kb_revision": 1}


async def lose_the_database(runtime: Runtime, database_url: str) -> None:
    """Make the database really go away: drop it (PostgreSQL) or delete its folder (SQLite)."""
    url = make_url(database_url)
    await runtime.engine.dispose()
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        shutil.rmtree(Path(url.database).parent)
        return
    admin = create_async_engine(
        url.set(database="postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE "{url.database}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def test_health_is_unavailable_when_the_database_is_gone(
    runtime: Runtime, own_database_url: str, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(build_web_app(web_settings(own_database_url), runtime))
    assert (await client.get("/healthz")).status == 200

    await lose_the_database(runtime, own_database_url)
    response = await client.get("/healthz")

    assert response.status == 503
    # The reason names the failed check, never the exception text (a path, host or user name).
    assert await response.json() == {"status": "unavailable", "failed": "database"}
    url = make_url(own_database_url)
    assert url.database is not None
    assert Path(url.database).name not in await response.text()


async def test_without_a_bot_there_is_no_webhook_route(
    runtime: Runtime, own_database_url: str, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(build_web_app(web_settings(own_database_url), runtime))

    response = await client.post(
        "/telegram", json={"update_id": 1}, headers={SECRET_HEADER: "s3cret-for-tests"}
    )

    assert response.status in (404, 405)
