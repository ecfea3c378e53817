"""Citations and commands as a Persian reader sees them, in a real headless Chromium.

Each check reads where the browser actually drew the characters (their boxes), not the
source text: an isolate that is missing or misplaced shows up as pieces in the wrong place.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.playground import RunningPlayground, start_playground
from bot.playground.server import PLAYGROUND_FEATURES
from bot.settings import Settings
from handlers.i18n import Renderer
from knowledge import KnowledgeBase
from tests.auxil.bidi_boxes import reads_left_to_right, where
from tests.auxil.browser import ARTIFACTS


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[RunningPlayground]:
    """The real playground server on a free loopback port, on a fresh SQLite database."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'playground.sqlite3'}"
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    running = await start_playground(settings, host="127.0.0.1", port=0)
    yield running
    await running.stop()


async def test_persian_citations_and_commands_read_in_order(
    browser: Any, playground: RunningPlayground, shipped_kb: KnowledgeBase
) -> None:
    from playwright.async_api import expect

    renderer = Renderer(PLAYGROUND_FEATURES)
    context = await browser.new_context(viewport={"width": 900, "height": 1300})
    page = await context.new_page()
    await page.goto(playground.url)
    await page.get_by_role("button", name=renderer.text("fa", "language_name")).click()

    # The empty chat's hint: "/start" keeps its slash in front inside Persian text.
    hint = page.locator("#begin p")
    await expect(hint).to_be_visible()
    slash, s = await where(hint, "/start"), await where(hint, "start")
    assert slash[0] < s[0], "the slash is drawn after «start»"

    # A typed question, with no checklist in progress, is answered with cited advice.
    await page.get_by_role("textbox").fill("چطور برای رسانه‌های اجتماعی بودجه بگیریم؟")
    await page.get_by_role("textbox").press("Enter")
    steps_title = renderer.text("fa", "ask_steps_title")
    answer = page.locator("li.message.from-bot", has_text=steps_title).last
    await expect(answer).to_be_visible()
    body = answer.locator(".text")
    source = renderer.text("fa", "evidence_source")
    step = shipped_kb.step("propose_budget_line")
    reference = shipped_kb.reference(step.refs[0])
    label = await where(body, source)
    author = await where(body, reference.authors[0], after=source)
    year = await where(body, f"({reference.year})", after=source)
    title = await where(body, reference.title[:12], after=source)
    # «منبع:» on the right, the citation to its left on the same line, read left to right.
    assert abs(label[1] - author[1]) < 4 and label[0] > author[2]
    assert reads_left_to_right([author, year, title])
    link = await where(body, "https://", after=reference.title[:12])
    assert link[1] > title[1], "the link has a line of its own"
    ARTIFACTS.mkdir(exist_ok=True)
    await answer.screenshot(path=str(ARTIFACTS / "ask-answer-fa.png"))

    # An evidence card: the same citation component.
    await page.get_by_role("textbox").fill("/evidence")
    await page.get_by_role("textbox").press("Enter")
    factor = shipped_kb.factors[0]
    sf = factor.subfactors[0]
    await page.get_by_role("button", name=factor.title.fa, exact=True).last.click()
    await page.get_by_role("button", name=sf.title.fa, exact=True).last.click()
    card = page.locator("li.message.from-bot", has_text=source).last
    await expect(card).to_contain_text(
        renderer.text("fa", "evidence_card_position", number=1, total=len(sf.evidence))
    )
    reference = shipped_kb.reference(sf.evidence[0].ref)
    body = card.locator(".text")
    label = await where(body, source)
    author = await where(body, reference.authors[0], after=source)
    year = await where(body, f"({reference.year})", after=source)
    title = await where(body, reference.title[:12], after=source)
    venue = await where(body, reference.venue[:10], after=reference.title[:12])
    assert abs(label[1] - author[1]) < 4 and label[0] > author[2]
    assert reads_left_to_right([author, year, title, venue])
    # "Next" points the way a Persian reader turns pages: to the left.
    next_button = card.get_by_role("button", name="بعدی ◀")
    await expect(next_button).to_be_visible()
    await card.screenshot(path=str(ARTIFACTS / "evidence-card-fa.png"))
    await context.close()
