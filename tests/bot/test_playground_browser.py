"""The playground in a real headless Chromium: a person clicks through the whole checklist.

Needs Debian's `chromium` at /usr/bin/chromium and Playwright's Python package (no browser
download: Playwright drives the system Chromium). Skips without them, unless
PISHRAN_REQUIRE_BROWSER=1 (CI), which makes their absence a failure.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.playground import RunningPlayground, start_playground
from bot.playground.server import PLAYGROUND_FEATURES
from bot.settings import Settings
from handlers.i18n import Renderer
from knowledge import KnowledgeBase, Locale, QuestionSet, to_persian_digits
from tests.auxil.bidi_boxes import where
from tests.auxil.browser import ARTIFACTS

# Varied answers, "don't know" included, so that the results mix drivers and obstacles.
ANSWERS: list[int | None] = [4, 3, 1, 0, 2, 4, None, 3, 0, 1, 4, 4, 2, 0, 3, 1]
ORGANISATION = {"en": "Tehran Water Company", "fa": "شرکت آب و فاضلاب تهران"}


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[RunningPlayground]:
    """The real playground server on a free loopback port, on a fresh SQLite database."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'playground.sqlite3'}"
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    running = await start_playground(settings, host="127.0.0.1", port=0)
    yield running
    await running.stop()


def _digits(locale: Locale, text: str) -> str:
    return to_persian_digits(text) if locale == "fa" else text


@pytest.mark.parametrize(
    ("locale", "screenshot"), [("en", "playground.png"), ("fa", "playground-fa.png")]
)
async def test_a_person_completes_the_checklist_in_the_browser(
    browser: Any,
    playground: RunningPlayground,
    shipped_kb: KnowledgeBase,
    locale: Locale,
    screenshot: str,
) -> None:
    from playwright.async_api import expect

    renderer = Renderer(PLAYGROUND_FEATURES)
    context = await browser.new_context(viewport={"width": 960, "height": 1100})
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    await page.goto(playground.url)

    # The start panel: the simulated Telegram app's language, then the chat in that language.
    await page.get_by_role("button", name=renderer.text(locale, "language_name")).click()
    await expect(page.locator("html")).to_have_attribute("lang", locale)
    await expect(page.locator("html")).to_have_attribute("dir", "rtl" if locale == "fa" else "ltr")
    await page.get_by_role("textbox").fill("/start")
    await page.get_by_role("button", name=renderer.text(locale, "playground", "send")).click()

    newest = page.locator("li.message.from-bot").last

    async def press(label: str) -> None:
        """Press a button on the newest bot message and wait until the bot replaced it."""
        button = newest.get_by_role("button", name=label, exact=True)
        await button.click()
        await expect(page.get_by_role("button", name=label, exact=True)).to_have_count(0)

    await press(shipped_kb.profile.sectors[0].label.get(locale))
    tehran = next(region for region in shipped_kb.profile.regions if region.key == "tehran")
    await press(tehran.label.get(locale))
    await page.get_by_role("textbox").fill(ORGANISATION[locale])
    await page.get_by_role("textbox").press("Enter")
    await expect(page.locator("li.message.from-user").last).to_contain_text(ORGANISATION[locale])
    await press(shipped_kb.profile.roles[0].label.get(locale))
    core = shipped_kb.questions(QuestionSet.CORE)
    await press(renderer.text(locale, "button_core", count=len(core)))

    total = _digits(locale, str(len(core)))
    ARTIFACTS.mkdir(exist_ok=True)
    for number, value in enumerate(ANSWERS, start=1):
        shown = _digits(locale, str(number))
        progress = re.compile(
            rf"(?<![0-9۰-۹]){shown}/{total}" if locale == "en" else f"پرسش {shown} از {total}"
        )
        await expect(newest).to_contain_text(progress)
        if number == 1:  # the first question with its keyboard, for a person to look at
            await page.screenshot(path=str(ARTIFACTS / screenshot.replace(".png", "-question.png")))
        label = shipped_kb.scale_of(core[number - 1]).label(value).get(locale)
        await newest.get_by_role("button", name=label, exact=True).click()

    index_label = re.split(r"[:<{]", renderer.entry(locale, "results_index"))[0].strip()
    summary = page.locator("li.message.from-bot", has_text=index_label).first
    await expect(summary).to_be_visible()
    assert index_label == ("Readiness index" if locale == "en" else "شاخص آمادگی")
    direction = await summary.locator(".bubble").evaluate("e => getComputedStyle(e).direction")
    assert direction == ("rtl" if locale == "fa" else "ltr")
    assert problems == []

    if locale == "fa":  # each reference: its number on the right, then one whole citation
        references = page.locator("li.message.from-bot", has_text="[۲] ").last
        body = references.locator(".text")
        text = await body.inner_text()
        for citation in ("[۱]", "[۲]", "[۳]"):
            entry = text.split(citation, 1)[1].lstrip(" \u2068")
            mark = await where(body, citation)
            first = await where(body, entry[:6], after=citation)
            assert abs(mark[1] - first[1]) < 4 and mark[0] > first[2], (citation, entry[:40])
            link = await where(body, "https://", after=citation)
            assert link[1] > mark[1], "the link has a line of its own"
        await references.evaluate("e => e.scrollIntoView({block: 'start'})")
        await page.screenshot(path=str(ARTIFACTS / "references-fa.png"))
        # A later part of a long list, with only Latin citations, still reads right to left.
        later = page.locator("li.message.from-bot", has_text="[۳۰] ").last
        direction = await later.locator(".text").evaluate("e => getComputedStyle(e).direction")
        assert direction == "rtl"
        await later.evaluate("e => e.scrollIntoView({block: 'start'})")
        await page.screenshot(path=str(ARTIFACTS / "references-fa-later.png"))
    await summary.evaluate("e => e.scrollIntoView({block: 'start'})")
    await page.screenshot(path=str(ARTIFACTS / screenshot))
    await context.close()


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_commands_in_an_alert_read_left_to_right(
    browser: Any, playground: RunningPlayground, shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    """An alert is plain text (answerCallbackQuery has no entities); in Persian, "/start" and
    "/results" still show their slash before the name, as the chat's command entities do."""
    from playwright.async_api import expect

    renderer = Renderer(PLAYGROUND_FEATURES)
    context = await browser.new_context(viewport={"width": 760, "height": 800})
    page = await context.new_page()
    await page.goto(playground.url)
    await page.get_by_role("button", name=renderer.text(locale, "language_name")).click()
    textbox = page.get_by_role("textbox")
    await textbox.fill("/start")
    await textbox.press("Enter")
    sector = page.get_by_role("button", name=shipped_kb.profile.sectors[0].label.get(locale))
    await expect(sector).to_be_visible()
    await textbox.fill("/cancel")
    await textbox.press("Enter")
    confirm = renderer.text(locale, "button_confirm_cancel")
    await page.get_by_role("button", name=confirm, exact=True).click()
    await expect(page.get_by_role("button", name=confirm, exact=True)).to_have_count(0)

    await sector.click()  # a button of the cancelled assessment
    alert = page.locator("#alert-text")
    closed = renderer.text(locale, "closed_assessment")
    await expect(alert).to_have_text(closed)
    for command in ("/start", "/results"):
        slash = await where(alert, command)
        name = await where(alert, command[1:], after=command)
        assert slash[2] <= name[0] + 1 and abs(slash[1] - name[1]) < 4, (command, slash, name)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"playground-alert-{locale}.png"))
    await context.close()
