"""Shared fixtures: no test depends on the developer's shell or working directory."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.emulator import BotApiEmulator
from knowledge import KnowledgeBase, load_shipped_kb
from tests.auxil.databases import Databases

# Variables the project reads; tests set what they need explicitly.
_PROJECT_VARIABLES = (
    "ENVIRONMENT",
    "BOT_TOKEN",
    "BOT_API_BASE_URL",
    "BOT_API_FILE_URL",
    "DATABASE_URL",
    "ADMIN_IDS",
    "DEFAULT_LANGUAGE",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "HOST",
    "PORT",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "KB_REFRESH_SECONDS",
    "REMINDER_DELAY_HOURS",
    "REMINDER_INTERVAL_SECONDS",
    "STATS_K",
    "STATS_API_TOKEN",
    "ADMIN_TOKEN",
    "AUDIT_KEY",
    "ADMIN_COOKIE_SECURE",
    "BEHIND_PROXY",
    "UPDATE_CONCURRENCY",
    "BOT_API_READ_TIMEOUT",
    "FLOOD_LIMIT_PER_SECOND",
    "BOT_API_RETRY_BACKOFF",
    "BOT_API_RETRY_MAX_BACKOFF",
    "BOT_API_CLIENT",
)


@pytest.fixture(autouse=True)
def clean_environ(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Remove the project's settings from the environment and run outside the checkout."""
    for name in _PROJECT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    yield


@pytest.fixture(scope="session")
def shipped_kb() -> KnowledgeBase:
    """The knowledge base shipped with the package."""
    return load_shipped_kb()


POSTGRES_URL_VARIABLE = "PISHRAN_TEST_POSTGRES_URL"
# CI sets this so that a missing server fails the run instead of skipping half of it.
REQUIRE_POSTGRES_VARIABLE = "PISHRAN_REQUIRE_POSTGRES"


def _postgres_url() -> str | None:
    return os.environ.get(POSTGRES_URL_VARIABLE) or None


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--sqlite-only` (`./dev test --fast`): leave out the PostgreSQL runs of database tests."""
    parser.addoption(
        "--sqlite-only",
        action="store_true",
        help="deselect every test that runs on PostgreSQL (the inner loop; CI runs them all)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the PostgreSQL runs under `--sqlite-only`."""
    if not config.getoption("--sqlite-only"):
        return
    kept: list[pytest.Item] = []
    left_out: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgresql"
        (left_out if on_postgres else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """This test process's databases, migrated once (see tests/auxil/databases.py)."""
    databases = Databases(tmp_path_factory.mktemp("databases"), _postgres_url())
    yield databases
    asyncio.run(databases.close())


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, databases: Databases
) -> AsyncIterator[str]:
    """The URL of a database of this test alone, migrated to head; empty if the test is marked
    `empty_database`."""
    empty = request.node.get_closest_marker("empty_database") is not None
    if request.param == "sqlite":
        yield await databases.sqlite(tmp_path / "pishran.sqlite3", empty=empty)
        return
    if _postgres_url() is None:
        if os.environ.get(REQUIRE_POSTGRES_VARIABLE):
            pytest.fail(f"{REQUIRE_POSTGRES_VARIABLE} is set but {POSTGRES_URL_VARIABLE} is not")
        pytest.skip(f"{POSTGRES_URL_VARIABLE} not set")
    async with databases.postgresql(empty=empty) as url:
        yield url


@pytest.fixture
def emulator() -> BotApiEmulator:
    """A fresh Bot API emulator."""
    return BotApiEmulator(bot_username="pishran_test_bot")


@pytest.fixture
async def emulator_url(
    emulator: BotApiEmulator, aiohttp_server: Callable[..., Awaitable[Any]]
) -> AsyncIterator[str]:
    """Serve the emulator on 127.0.0.1 and return its base URL."""
    server = await aiohttp_server(emulator.build_app())
    yield str(server.make_url("")).rstrip("/")
    await emulator.close()
