"""`GET /api/stats`: refused without the bearer token, files with it, disabled without one."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.application import Runtime, start_runtime
from bot.settings import Settings
from bot.stats_api import API_ACTOR
from bot.web import build_web_app
from knowledge import KnowledgeBase
from storage.models import AuditLog
from tests.auxil.stats import (
    STATS_TOKEN,
    Seeded,
    published_count,
    readable_text,
    seed_statistics,
)

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


def api_settings(database_url: str, token: str | None = STATS_TOKEN) -> Settings:
    """Settings for the web app alone, with the statistics API token (or none)."""
    values: dict[str, Any] = {"database_url": database_url}
    if token is not None:
        values["stats_api_token"] = token
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
async def runtime(database_url: str) -> AsyncIterator[Runtime]:
    """A migrated database and the services, without a bot."""
    started = await start_runtime(api_settings(database_url))
    yield started
    await started.close()


@pytest.fixture
async def seeded(runtime: Runtime, shipped_kb: KnowledgeBase) -> Seeded:
    """The statistics test data, stored."""
    return await seed_statistics(runtime.session_factory, shipped_kb)


@pytest.fixture
async def client(
    runtime: Runtime, database_url: str, aiohttp_client: ClientFactory
) -> TestClient[Any, Any]:
    """A client of the web app with the statistics API enabled."""
    return await aiohttp_client(build_web_app(api_settings(database_url), runtime))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        bearer("wrong-token"),
        bearer(STATS_TOKEN[:-1]),
        {"Authorization": f"Basic {STATS_TOKEN}"},
        {"Authorization": STATS_TOKEN},
    ],
    ids=["missing", "wrong", "prefix", "basic", "no-scheme"],
)
@pytest.mark.parametrize("path", ["/api/stats?by=sector", "/api/stats/org/water"])
async def test_a_request_without_the_right_token_is_refused(
    client: TestClient[Any, Any], seeded: Seeded, headers: dict[str, str], path: str
) -> None:
    response = await client.get(path, headers=headers)

    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = await response.text()
    assert "health" not in body and "readiness" not in body


async def test_with_the_token_a_csv_streams_with_localised_columns(
    client: TestClient[Any, Any], seeded: Seeded
) -> None:
    response = await client.get(
        "/api/stats?by=sector,month&format=csv&lang=fa", headers=bearer(STATS_TOKEN)
    )

    assert response.status == 200
    assert response.content_type == "text/csv"
    assert 'filename="pishran-stats-sector-month.csv"' in response.headers["Content-Disposition"]
    content = await response.read()
    assert content.startswith("\ufeff".encode())
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header[:2] == ["بخش", "ماه"]
    for telegram_id in seeded.telegram_ids:
        assert str(telegram_id) not in content.decode("utf-8-sig")


@pytest.mark.parametrize("file_format", ["json", "xlsx"])
async def test_every_format_is_served_and_audited(
    client: TestClient[Any, Any], runtime: Runtime, seeded: Seeded, file_format: str
) -> None:
    response = await client.get(
        f"/api/stats?by=organisation&format={file_format}&lang=en", headers=bearer(STATS_TOKEN)
    )

    assert response.status == 200
    text = readable_text(await response.read(), file_format)
    assert "water" in text
    for typed in seeded.typed_texts:
        assert typed not in text
    async with runtime.session_factory() as session:
        entries = list(await session.scalars(select(AuditLog)))
    assert [(e.actor, e.action, e.detail) for e in entries] == [
        (API_ACTOR, "stats.export", {"by": ["organisation"], "format": file_format})
    ]


async def test_an_organisation_profile_needs_k_respondents(
    client: TestClient[Any, Any], runtime: Runtime, seeded: Seeded
) -> None:
    found = await client.get("/api/stats/org/water", headers=bearer(STATS_TOKEN))
    small = await client.get("/api/stats/org/nobody", headers=bearer(STATS_TOKEN))

    assert found.status == 200
    document = json.loads(await found.read())
    # Six assessments, published with the noise of the organisation's cell.
    water = await published_count(runtime.session_factory, 5, org_code="water")
    assert [group["n"] for group in document["groups"]] == [water]
    assert small.status == 404


@pytest.mark.parametrize(
    "query", ["by=name", "by=sector,region,month", "format=pdf", "lang=de", "by=telegram_id"]
)
async def test_a_bad_query_is_a_400(
    client: TestClient[Any, Any], seeded: Seeded, query: str
) -> None:
    response = await client.get(f"/api/stats?{query}", headers=bearer(STATS_TOKEN))
    assert response.status == 400
    assert "error" in await response.json()


async def test_without_a_configured_token_the_api_is_disabled(
    runtime: Runtime, database_url: str, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(build_web_app(api_settings(database_url, token=None), runtime))

    response = await client.get("/api/stats", headers=bearer(STATS_TOKEN))

    assert response.status == 404
