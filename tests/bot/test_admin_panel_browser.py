"""The admin panel in a real headless Chromium: sign in, edit advice, find it in the history.

Needs Debian's `chromium` at /usr/bin/chromium and Playwright's Python package (no browser
download: Playwright drives the system Chromium). Skips without them, unless
PISHRAN_REQUIRE_BROWSER=1 (CI), which makes their absence a failure.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.emulator import BotApiEmulator
from bot.settings import Settings
from bot.web import build_web_app
from knowledge import KnowledgeBase, load_shipped_kb
from tests.auxil.admin import REVISED_ADVICE, first_advice_summary, texts_since
from tests.auxil.admin_panel import ADMIN_TOKEN, panel_settings
from tests.auxil.browser import ARTIFACTS
from tests.auxil.harness import RunningBot, start_bot
from tests.auxil.kb_flows import complete_core_checklist

SUMMARY = first_advice_summary(load_shipped_kb())

REVISED_FA = "توصیه بازنگری‌شده: منشور شفافیت را منتشر کنید."


@pytest.fixture
def settings(emulator: BotApiEmulator, emulator_url: str, tmp_path: Path) -> Settings:
    """Settings with the admin panel enabled, on a fresh SQLite database."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'panel.sqlite3'}"
    return panel_settings(emulator, emulator_url, database_url)


@pytest.fixture
async def bot(emulator: BotApiEmulator, settings: Settings) -> AsyncIterator[RunningBot]:
    """The real bot, on the same database as the panel."""
    running = await start_bot(emulator, settings)
    yield running
    await running.stop()


@pytest.fixture
async def panel_url(
    settings: Settings, bot: RunningBot, aiohttp_server: Callable[..., Awaitable[Any]]
) -> str:
    """The web app (bot and panel) served on a loopback port; the panel's address."""
    server = await aiohttp_server(build_web_app(settings, bot.runtime, bot.application))
    return str(server.make_url("/admin/"))


async def test_an_administrator_edits_advice_in_the_browser_and_the_bot_uses_it(
    browser: Any,
    panel_url: str,
    bot: RunningBot,
    emulator: BotApiEmulator,
    shipped_kb: KnowledgeBase,
) -> None:
    from playwright.async_api import expect

    context = await browser.new_context(viewport={"width": 1100, "height": 1300})
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def console(message: Any) -> None:
        # The invalid edit below is answered 422 on purpose; Chromium logs that as an error.
        if message.type == "error" and "status of 422" not in message.text:
            problems.append(f"{message.text} {message.location}")

    page.on("console", console)

    await page.goto(panel_url)  # not signed in: the sign-in page, in Persian, right to left
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await page.get_by_label("توکن مدیر").fill(ADMIN_TOKEN)
    await page.get_by_role("button", name="ورود").click()
    await expect(page.get_by_role("heading", name="نمای کلی")).to_be_visible()

    await (
        page.get_by_role("navigation", name="بخش‌های پنل")
        .get_by_role("link", name="پایگاه دانش")
        .click()
    )
    transparency = shipped_kb.subfactor("transparency").title.fa
    await page.get_by_role("link", name=transparency, exact=True).click()
    await page.get_by_role("link", name="ویرایش", exact=True).click()
    await expect(page.get_by_role("heading", name="ویرایش زیرعامل")).to_be_visible()

    persian = page.locator(f'[id="field-{SUMMARY}.fa"]')
    await expect(persian).to_have_attribute("dir", "rtl")
    direction = await persian.evaluate("e => getComputedStyle(e).direction")
    assert direction == "rtl"
    await persian.fill("")  # an invalid edit first: the problem shows beside the field
    await page.get_by_role("button", name="ذخیره به‌عنوان نسخه تازه").click()
    await expect(page.get_by_role("alert")).to_contain_text(
        f"factors[0].subfactors[0].{SUMMARY}.fa"
    )
    beside = page.locator(f'[id="field-{SUMMARY}.fa-problems"]')
    await expect(beside).to_contain_text("دست‌کم ۱ نویسه لازم است")  # told in Persian
    ARTIFACTS.mkdir(exist_ok=True)
    await beside.evaluate("e => e.scrollIntoView({block: 'center'})")
    await page.screenshot(path=str(ARTIFACTS / "admin-panel-problem.png"))
    await persian.fill(REVISED_FA)
    await page.locator(f'[id="field-{SUMMARY}.en"]').fill(REVISED_ADVICE)
    await page.get_by_label("یادداشت برای تاریخچه (اختیاری)").fill("توصیه روشن‌تر")
    await page.get_by_role("button", name="ذخیره به‌عنوان نسخه تازه").click()

    await expect(page.get_by_role("status")).to_contain_text("به‌عنوان نسخه ۲ ذخیره شد")
    added = page.locator(".diff .line.added", has_text=REVISED_ADVICE)
    await expect(added).to_have_count(1)
    colour = await added.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(218, 251, 225)"

    await page.get_by_role("link", name="نسخه‌ها", exact=True).click()
    row = page.get_by_role("row", name="نسخه ۲")
    await expect(row).to_contain_text("توصیه روشن‌تر")
    await expect(row).to_contain_text("web:admin")
    await row.get_by_role("link", name="نسخه ۲").click()
    await expect(added).to_be_visible()
    await page.locator(".diff").evaluate("e => e.scrollIntoView({block: 'center'})")
    await page.screenshot(path=str(ARTIFACTS / "admin-panel.png"))
    assert problems == []
    await context.close()

    user = emulator.user(7_000_000_101, language_code="fa")
    await complete_core_checklist(user, shipped_kb, "fa", [0] * 16)
    assert REVISED_FA in texts_since(user.bot_messages, 0)
