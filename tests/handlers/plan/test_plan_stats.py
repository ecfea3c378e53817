"""What blocks agencies: blocked steps and their reasons by sector, hidden below k people;
and the calendar file of the committed steps."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from icalendar import Calendar

from bot.emulator import BotApiEmulator, EmulatedUser
from knowledge import KnowledgeBase, Locale
from storage.stats import Dimension
from tests.auxil.harness import RunningBot, bot_settings, start_bot
from tests.handlers.plan.test_plan import (
    BLOCKED,
    NO_BUDGET,
    ZONES,
    check_ins,
    commit_first_month,
    complete_checklist,
    local,
    plan_rows,
    run_job,
)

ADMIN = 18900
NOTE = "The <b>budget</b> office is closed until spring"


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, emulator_url: str, database_url: str
) -> AsyncIterator[RunningBot]:
    """The bot with k = 2 and one administrator."""
    settings = bot_settings(emulator, emulator_url, database_url, stats_k=2, admin_ids=(ADMIN,))
    running = await start_bot(emulator, settings)
    yield running
    await running.stop()


async def blocked_for_budget(user: EmulatedUser, locale: Locale) -> None:
    """Answer the first check-in: blocked, for lack of budget."""
    first = next(m for m in user.bot_messages if m.text and m.text in check_ins(user, locale))
    data = next(data for text, data in first.buttons[1] if text == BLOCKED[locale])
    assert data is not None
    await user.press_data(data, first.message_id)
    await user.press(NO_BUDGET[locale])


async def test_blockers_by_sector_are_shown_from_k_people_and_hidden_below(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    sector = shipped_kb.profile.sectors[0].label.get("en")
    admin = emulator.user(ADMIN, language_code="en")
    users = [emulator.user(18901 + i, language_code="en") for i in range(2)]
    await complete_checklist(users[0], shipped_kb, "en")
    await commit_first_month(users[0], "en")
    assert (await run_job(bot, local("en", 31, 10))).sent == 1
    await blocked_for_budget(users[0], "en")

    await admin.send("/plan_stats")
    one = "\n".join(m.text or "" for m in admin.bot_messages)
    # One person is a group under k: not listed at all, nor is their sector.
    assert "Nothing to show yet" in one and "no budget" not in one
    assert sector not in one

    await complete_checklist(users[1], shipped_kb, "en")
    await commit_first_month(users[1], "en")
    assert (await run_job(bot, local("en", 32, 10))).sent == 2
    await blocked_for_budget(users[1], "en")
    await users[1].send(NOTE)  # the optional note, in the person's own words
    assert "note is kept" in (users[1].last_bot_message.text or "")
    await users[1].send("/plan")
    assert NOTE in (users[1].last_bot_message.text or "")  # shown to its author, escaped
    shown = len(admin.bot_messages)
    await admin.send("/plan_stats")
    two = "\n".join(m.text or "" for m in admin.bot_messages[shown:])
    # A count of exactly k carries no noise; the shares carry some (within one step in two).
    assert "no budget: 2 steps" in two
    assert f"{sector}\u2069: 2 steps: " in two
    assert "spring" not in two and "budget</b>" not in two

    (note,) = [r.blocked_note for r in await plan_rows(bot) if r.blocked_note]
    assert note == NOTE
    # Only the one message after a reason is a note: the next text is not taken.
    await users[1].send("another message")
    assert [r.blocked_note for r in await plan_rows(bot) if r.blocked_note] == [NOTE]

    report = await bot.runtime.services.statistics.blockers(Dimension.SECTOR)
    key = shipped_kb.profile.sectors[0].key
    assert [(r.group, r.reason, r.steps) for r in report.blockers.reasons] == [(key, "budget", 2)]
    (blocked_id,) = {r.step_id for r in await plan_rows(bot) if r.status == "blocked"}
    (row,) = [row for row in report.blockers.steps if row.key == blocked_id]
    # Two of two steps blocked; the noise on the sum is at most one step: 1/2 either way.
    assert row.steps == 2 and row.blocked is not None and 0.5 <= row.blocked <= 1.0
    assert {row.group for row in report.blockers.steps} == {key}

    shown = len(admin.bot_messages)
    await admin.send("/plan_stats month")
    month = "\n".join(m.text or "" for m in admin.bot_messages[shown:])
    assert "by month" in month and "no budget: 2 steps" in month


async def test_plan_stats_is_for_administrators_only(
    emulator: BotApiEmulator, bot: RunningBot
) -> None:
    user = emulator.user(18950, language_code="fa")
    await user.send("/plan_stats")
    assert "What blocks" not in (user.last_bot_message.text or "")
    assert "چه چیزی مانع" not in (user.last_bot_message.text or "")


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_the_calendar_file_has_an_event_on_each_due_date(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    user = emulator.user(18960 if locale == "fa" else 18961, language_code=locale)
    await complete_checklist(user, shipped_kb, locale)
    await commit_first_month(user, locale)

    await user.send("/plan ics")

    stored = user.last_bot_message.file
    assert stored is not None
    calendar = Calendar.from_ical(stored.data)
    events = calendar.walk("VEVENT")
    rows = await plan_rows(bot)
    due = sorted(r.due_at.astimezone(ZONES[locale]).date() for r in rows)
    assert sorted(e.decoded("dtstart") for e in events) == due
    profile = {"sector": shipped_kb.profile.sectors[0].key, "region": "tehran"}
    texts = {shipped_kb.step(r.step_id).for_profile(profile)[0].get(locale) for r in rows}
    assert {str(e.get("summary")) for e in events} == texts
