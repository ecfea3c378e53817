"""The panel under attack: a flood of refused requests stays a few counted rows, and a copied
session cookie stops working once its owner signs out, on every replica."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.admin import ANONYMOUS_ACTOR, COOKIE_NAME
from bot.admin.refusals import RefusalLog, source_of
from bot.emulator import BotApiEmulator
from bot.settings import Settings
from bot.web import build_web_app
from handlers.audit_trail import AuditTrail
from storage.admin_sessions import AdminSession
from tests.auxil.admin import audit_log
from tests.auxil.admin_panel import forms_in, panel_settings, post_form, sign_in
from tests.auxil.harness import RunningBot, start_bot

Client = TestClient[Any, Any]
ClientFactory = Callable[..., Awaitable[Client]]
FLOOD = 500


@pytest.fixture
def settings(emulator: BotApiEmulator, emulator_url: str, database_url: str) -> Settings:
    """Settings with the admin panel enabled."""
    return panel_settings(emulator, emulator_url, database_url)


@pytest.fixture
async def bot(emulator: BotApiEmulator, settings: Settings) -> AsyncIterator[RunningBot]:
    """The real bot, on the same database as the panel."""
    running = await start_bot(emulator, settings)
    yield running
    await running.stop()


async def test_a_flood_of_refused_requests_is_a_few_counted_rows(
    settings: Settings, bot: RunningBot, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(build_web_app(settings, bot.runtime))
    await sign_in(client)
    await client.get("/admin/kb/export")  # an administrator's action, audited
    client.session.cookie_jar.clear()  # from here on: anonymous
    long_path = "/admin/kb/" + "x" * 4000
    for _ in range(FLOOD):
        response = await client.get(long_path, allow_redirects=False)
        assert response.status == 303
    await client.close()  # the app stops: the last counts are written

    rows = await audit_log(bot)
    refused = [row for row in rows if row.action == "web.refused"]
    # One row per source and minute (two if the flood crossed a minute), not one per request.
    assert 1 <= len(refused) <= 2 and len(rows) <= 4
    assert sum(row.count for row in refused) == FLOOD
    assert all(len(row.detail["path"]) <= 120 for row in refused)
    assert refused[0].detail["address"] == "127.0.0.1" and refused[0].actor == ANONYMOUS_ACTOR
    stored = sum(len(json.dumps(row.detail)) for row in rows)
    assert stored < 2_000  # the review's flood stored 2 MB


async def test_the_audit_page_shows_administrators_actions_apart_from_refusals(
    settings: Settings, bot: RunningBot, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(build_web_app(settings, bot.runtime))
    for n in range(FLOOD // 10):  # refusals from many sources
        await bot.runtime.services.audit.record(
            actor=ANONYMOUS_ACTOR, action="web.refused", detail={"address": f"198.51.100.{n}"}
        )
    await sign_in(client)
    await client.get("/admin/kb/export")

    def rows(page: str) -> list[tuple[str, str]]:
        pattern = r'<code dir="ltr">([^<]+)</code></td>\s*<td><code dir="ltr">([^<]+)<'
        return re.findall(pattern, page)

    admin = await (await client.get("/admin/audit?kind=admin")).text()
    assert rows(admin) == [("web:admin", "kb.export"), ("web:admin", "web.sign_in")]
    assert 'aria-current="page">کارهای مدیران<' in admin
    refused = rows(await (await client.get("/admin/audit?kind=refused")).text())
    assert refused == [(ANONYMOUS_ACTOR, "web.refused")] * (FLOOD // 10)
    everything = rows(await (await client.get("/admin/audit")).text())
    assert len(everything) == FLOOD // 10 + 2


async def test_the_refusal_counter_is_bounded_in_sources_and_writes(
    bot: RunningBot,
) -> None:
    now = [600.0]
    audit = AuditTrail(bot.runtime.session_factory)
    refusals = RefusalLog(
        audit, actor=ANONYMOUS_ACTOR, flush_seconds=1.0, max_sources=3, clock=lambda: now[0]
    )
    for n in range(10):  # ten sources in one minute: three counted apart, the rest together
        await refusals.record("web.refused", address=f"203.0.113.{n}", method="GET", path="/a")
    for _ in range(50):  # one source, fast: written once a second
        now[0] += 0.01
        await refusals.record("web.refused", address="203.0.113.1", method="GET", path="/b")
    await refusals.flush()

    rows = await audit_log(bot)
    counts = {row.detail["address"]: row.count for row in rows}
    assert counts == {"203.0.113.0": 1, "203.0.113.1": 51, "203.0.113.2": 1, "other": 7}
    assert source_of("2001:db8::1") == source_of("2001:db8::ffff") == "2001:db8::/64"


async def test_a_copied_cookie_stops_working_after_sign_out_on_every_replica(
    settings: Settings, bot: RunningBot, aiohttp_client: ClientFactory
) -> None:
    first = await aiohttp_client(build_web_app(settings, bot.runtime))
    second = await aiohttp_client(build_web_app(settings, bot.runtime))
    response = await sign_in(first)
    assert response.status == 303
    stolen = response.cookies[COOKIE_NAME].value
    thief = {"Cookie": f"{COOKIE_NAME}={stolen}"}
    second.session.cookie_jar.clear()
    assert (await second.get("/admin/kb", headers=thief, allow_redirects=False)).status == 200

    home = await first.get("/admin/")
    (sign_out,) = [f for f in forms_in(await home.text()) if f.action == "/admin/sign-out"]
    assert (await post_form(first, sign_out)).status == 303

    for client in (first, second):
        client.session.cookie_jar.clear()
        refused = await client.get("/admin/kb", headers=thief, allow_redirects=False)
        assert refused.status == 303
        assert refused.headers["Location"].startswith("/admin/sign-in")
    async with bot.runtime.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(AdminSession)) == 0
