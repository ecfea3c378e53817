"""Hostile knowledge base files sent with /kb_import: refused quickly, clearly, in one message,
while everyone else is still served."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable

import pytest

from bot.emulator import BotApiEmulator
from bot.settings import Settings
from handlers.kb_admin.upload import UploadRefusal, UploadRefusedError, examine_upload
from knowledge import KnowledgeBase, Locale, canonical_yaml, to_document
from tests.auxil.admin import ADMIN_ID, admin_settings, audit_log, unchanged_state
from tests.auxil.harness import RunningBot, start_bot
from tests.auxil.hostile_kb import alias_bomb, deep_json, deep_yaml, many_values

REFUSALS = {
    "en": {
        "aliases": "The file was refused: it uses YAML anchors and aliases (&name, *name).",
        "too_complex": "The file was refused: its structure is too large or too deeply nested",
    },
    "fa": {
        "aliases": "فایل پذیرفته نشد: لنگر و ارجاع YAML (&name و *name) در آن هست.",
        "too_complex": "فایل پذیرفته نشد: ساختار آن برای یک پایگاه دانش بیش از اندازه بزرگ",
    },
}
HELP = {"en": "walks you through a short checklist", "fa": "گام‌به‌گام از یک چک‌لیست کوتاه"}


@pytest.fixture
def settings(emulator: BotApiEmulator, emulator_url: str, database_url: str) -> Settings:
    """Settings with one administrator, ADMIN_ID."""
    return admin_settings(emulator, emulator_url, database_url)


@pytest.fixture
async def bot(emulator: BotApiEmulator, settings: Settings) -> AsyncIterator[RunningBot]:
    """The real bot with one administrator."""
    running = await start_bot(emulator, settings)
    yield running
    await running.stop()


@pytest.mark.parametrize("locale", ["en", "fa"])
async def test_the_alias_bomb_is_refused_within_two_seconds_while_another_user_is_served(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    admin = emulator.user(ADMIN_ID, language_code=locale)
    someone = emulator.user(5_100_001, language_code=locale)
    bomb = alias_bomb(shipped_kb)
    # The review's file was 32 KB on the v1 KB; on v2 (with the step catalogue) about 110 KB.
    assert len(bomb) < 150_000
    before = await unchanged_state(bot)

    async def timed(send: Awaitable[object]) -> float:
        started = time.monotonic()
        await send
        return time.monotonic() - started

    upload = timed(admin.send_document(bomb, filename="kb.yaml", caption="/kb_import"))
    help_asked = timed(someone.send("/help"))
    upload_seconds, help_seconds = await asyncio.gather(upload, help_asked)

    assert upload_seconds < 2 and help_seconds < 2
    assert len(admin.bot_messages) == 1  # one refusal, not a message per expanded problem
    assert REFUSALS[locale]["aliases"] in (admin.bot_messages[0].text or "")
    assert someone.bot_messages and HELP[locale] in (someone.last_bot_message.text or "")
    assert await unchanged_state(bot) == before
    assert (await audit_log(bot))[-1].detail["refusal"] == "aliases"


@pytest.mark.parametrize(
    ("filename", "content"),
    [("kb.yaml", deep_yaml()), ("kb.json", deep_json()), ("kb.yaml", many_values())],
    ids=["deep_yaml", "deep_json", "too_many_values"],
)
@pytest.mark.parametrize("locale", ["en", "fa"])
async def test_deep_or_huge_structures_are_refused_clearly(
    emulator: BotApiEmulator, bot: RunningBot, filename: str, content: bytes, locale: Locale
) -> None:
    admin = emulator.user(ADMIN_ID, language_code=locale)
    await admin.send_document(content, filename=filename, caption="/kb_import")
    assert len(admin.bot_messages) == 1
    assert REFUSALS[locale]["too_complex"] in (admin.bot_messages[0].text or "")
    assert (await audit_log(bot))[-1].detail["refusal"] == "too_complex"


async def test_checking_an_upload_leaves_the_event_loop_free(shipped_kb: KnowledgeBase) -> None:
    # Half a megabyte within every bound: parsing and checking take about half a second.
    document = to_document(shipped_kb)
    document["references"] = document["references"] * 30
    raw = canonical_yaml(document).encode()
    gaps: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        last = time.monotonic()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    examined = await examine_upload(raw, "kb.yaml")
    done.set()
    await ticker

    assert examined.problems  # duplicate reference keys
    # On the event loop the ticker could not run until the check was over: at most one gap.
    # (No bound on the longest gap: on a loaded machine the worker thread holds the GIL for
    # long stretches, and this test is about where the work runs, not how fast.)
    assert len(gaps) > 3


async def test_an_upload_over_its_time_limit_is_refused(shipped_kb: KnowledgeBase) -> None:
    raw = canonical_yaml(to_document(shipped_kb)).encode()
    with pytest.raises(UploadRefusedError) as caught:
        await examine_upload(raw, "kb.yaml", time_limit=0.000_1)
    assert caught.value.refusal is UploadRefusal.TOO_SLOW
