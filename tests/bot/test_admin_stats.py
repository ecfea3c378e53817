"""The panel's statistics page and export downloads: the same figures as /stats, audited."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.application import Runtime, start_runtime
from bot.settings import Settings
from bot.web import build_web_app
from handlers.statistics.exports import ExportFormat
from handlers.statistics.service import ExportRequest
from knowledge import KnowledgeBase, to_persian_digits
from storage.models import AuditLog
from storage.stats import Dimension
from tests.auxil.admin_panel import ADMIN_TOKEN, forms_in, sign_in
from tests.auxil.stats import Seeded, readable_text, seed_statistics

Client = TestClient[Any, Any]
ClientFactory = Callable[..., Awaitable[Client]]


def settings_for(database_url: str) -> Settings:
    return Settings(_env_file=None, database_url=database_url, admin_token=ADMIN_TOKEN)  # type: ignore[call-arg]


@pytest.fixture
async def runtime(database_url: str) -> AsyncIterator[Runtime]:
    started = await start_runtime(settings_for(database_url))
    yield started
    await started.close()


@pytest.fixture
async def client(runtime: Runtime, database_url: str, aiohttp_client: ClientFactory) -> Client:
    """A signed-in administrator's browser."""
    client = await aiohttp_client(build_web_app(settings_for(database_url), runtime))
    await sign_in(client)
    return client


@pytest.fixture
async def seeded(runtime: Runtime, shipped_kb: KnowledgeBase) -> Seeded:
    return await seed_statistics(runtime.session_factory, shipped_kb)


async def audit(runtime: Runtime) -> list[tuple[str, str, dict[str, Any]]]:
    async with runtime.session_factory() as session:
        rows = await session.scalars(select(AuditLog).order_by(AuditLog.id))  # type: ignore[arg-type]
        return [(e.actor, e.action, e.detail) for e in rows]


async def exported(runtime: Runtime, request: ExportRequest) -> bytes:
    statistics = runtime.services.statistics
    assert statistics is not None
    return b"".join([chunk async for chunk in statistics.export(request)])


async def test_the_page_shows_the_summary_in_persian(
    client: Client, runtime: Runtime, seeded: Seeded, shipped_kb: KnowledgeBase
) -> None:
    statistics = runtime.services.statistics
    assert statistics is not None
    summary = await statistics.summary()
    assert not summary.overall.suppressed and summary.overall.readiness is not None

    page = await (await client.get("/admin/stats")).text()

    rounded = round(summary.overall.readiness, 1)
    readiness = to_persian_digits(str(int(rounded) if rounded.is_integer() else rounded))
    readiness = readiness.replace(".", "\u066b")  # the Persian decimal separator
    n = to_persian_digits(str(summary.overall.n))
    assert f"ارزیابی‌های تکمیل‌شده: {n}، میانگین شاخص آمادگی: {readiness} از ۱۰۰" in page
    meters = re.findall(
        r'<meter min="0" max="100" low="[\d.]+" optimum="100" value="([\d.]+)"', page
    )
    expected = [summary.overall.factors[f.key] for f in shipped_kb.factors]
    assert [float(v) for v in meters] == [round(m, 1) for m in expected]
    for factor in shipped_kb.factors:
        assert factor.title.fa in page
    assert ("web:admin", "stats.view", {}) in await audit(runtime)
    for planted in seeded.typed_texts:
        assert planted not in page


async def test_with_too_few_assessments_no_figure_is_shown(client: Client) -> None:
    await client.get("/admin/language/en")

    page = await (await client.get("/admin/stats")).text()

    assert "Fewer than 5 completed assessments so far" in page
    assert "<meter" not in page


async def test_the_pages_form_downloads_what_the_statistics_export_writes(
    client: Client, runtime: Runtime, seeded: Seeded
) -> None:
    page = await (await client.get("/admin/stats")).text()
    (form,) = [f for f in forms_in(page) if f.action == "/admin/stats/export"]
    assert form.method == "get"
    assert form.fields == {"by1": "sector", "by2": "", "format": "csv", "lang": "fa"}

    response = await client.get(form.action, params={**form.fields, "by2": "month"})

    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert 'filename="pishran-stats-sector-month.csv"' in response.headers["Content-Disposition"]
    body = await response.read()
    assert body.startswith("\ufeff".encode())
    wanted = ExportRequest(
        by=(Dimension.SECTOR, Dimension.MONTH), format=ExportFormat.CSV, locale="fa"
    )
    assert body == await exported(runtime, wanted)
    text = readable_text(body, "csv")
    assert all(str(telegram_id) not in text for telegram_id in seeded.telegram_ids)
    entry = ("web:admin", "stats.export", {"by": ["sector", "month"], "format": "csv"})
    assert entry in await audit(runtime)


@pytest.mark.parametrize("file_format", ["json", "xlsx"])
async def test_other_formats_download_whole(
    client: Client, runtime: Runtime, seeded: Seeded, file_format: str
) -> None:
    response = await client.get(
        "/admin/stats/export", params={"by1": "", "by2": "", "format": file_format, "lang": "en"}
    )

    assert response.status == 200
    assert 'filename="pishran-stats-all.' in response.headers["Content-Disposition"]
    body = await response.read()
    if file_format == "xlsx":
        assert body.startswith(b"PK")  # a zip, as every XLSX
    else:
        document = json.loads(body)
        assert (document["by"], document["language"], document["k"]) == ([], "en", 5)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


@pytest.mark.parametrize(
    "params",
    [
        {"by1": "name", "format": "csv"},
        {"by1": "sector", "by2": "sector", "format": "csv"},
        {"by1": "sector", "format": "pdf"},
        {"by1": "sector"},
        {"by1": "sector", "format": "csv", "lang": "de"},
    ],
    ids=["unknown-grouping", "repeated-grouping", "unknown-format", "no-format", "unknown-lang"],
)
async def test_a_request_the_form_could_not_send_is_refused_and_not_exported(
    client: Client, runtime: Runtime, params: dict[str, str]
) -> None:
    response = await client.get("/admin/stats/export", params=params)

    assert response.status == 400
    assert all(action != "stats.export" for _, action, _ in await audit(runtime))
