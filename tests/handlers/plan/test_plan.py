"""The action plan followed through, end to end: commit to steps, check-ins, blockers, /forget.

The check-in job is driven directly with an explicit clock (`now` a month ahead, at a chosen local
hour), as the reminder tests do; nothing sleeps.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from bot.emulator import BotApiEmulator, EmulatedUser
from bot.settings import Settings
from handlers.plan.telegram import CheckInRun, send_due_check_ins
from knowledge import KnowledgeBase, Locale, QuestionSet
from storage.plans import PlanSetting, PlanStep
from tests.auxil.flows import answer_questions, fill_profile, question_set_button
from tests.auxil.harness import RunningBot, start_bot

COMMIT = {"fa": "تعهد به گام‌های برنامه", "en": "Commit to plan steps"}
ALL_D30 = {"fa": "همه گام‌های ۳۰ روز نخست", "en": "All first-30-day steps"}
DONE = {"fa": "انجام شد", "en": "Done"}
BLOCKED = {"fa": "متوقف مانده", "en": "Blocked"}
NO_BUDGET = {"fa": "نبود بودجه", "en": "no budget"}
CHECK_IN = {
    "fa": "موعد گامی که به آن متعهد شده‌اید رسیده است",
    "en": "A step you committed to is due",
}
ZONES: dict[Locale, ZoneInfo] = {"fa": ZoneInfo("Asia/Tehran"), "en": ZoneInfo("UTC")}


def local(locale: Locale, days: int, hour: int) -> datetime:
    """`hour` o'clock in the person's default zone, `days` from today (UTC)."""
    day = datetime.now(UTC).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=ZONES[locale]).astimezone(UTC)


async def complete_checklist(user: EmulatedUser, kb: KnowledgeBase, locale: Locale) -> None:
    """Answer the core checklist with low answers, so that the plan has many steps."""
    await user.send("/start")
    await fill_profile(user, kb, locale)
    await user.press(question_set_button(user, QuestionSet.CORE))
    await answer_questions(user, kb, locale, [1] * 16)


async def commit_first_month(user: EmulatedUser, locale: Locale) -> None:
    """Under the results, open the plan and commit to every first-30-day step."""
    await user.press(COMMIT[locale])
    await user.press(ALL_D30[locale])


async def run_job(bot: RunningBot, now: datetime) -> CheckInRun:
    """One run of the check-in job at `now`."""
    services = bot.runtime.services
    return await send_due_check_ins(
        bot=bot.application.bot, plans=services.plans, renderer=services.renderer, now=now
    )


def check_ins(user: EmulatedUser, locale: Locale) -> list[str]:
    """The text of every check-in in the chat."""
    return [m.text or "" for m in user.bot_messages if CHECK_IN[locale] in (m.text or "")]


async def plan_rows(bot: RunningBot) -> list[PlanStep]:
    async with bot.runtime.session_factory() as session:
        return list((await session.execute(select(PlanStep).order_by(col(PlanStep.id)))).scalars())


@pytest.mark.parametrize(("locale", "user_id"), [("fa", 18001), ("en", 18002)])
async def test_commit_check_in_once_per_due_step_and_answer_blocked(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    locale: Locale,
    user_id: int,
) -> None:
    user = emulator.user(user_id, language_code=locale)
    await complete_checklist(user, shipped_kb, locale)
    await commit_first_month(user, locale)

    rows = await plan_rows(bot)
    assert len(rows) >= 2 and {r.horizon for r in rows} == {"d30"}
    now = datetime.now(UTC)
    assert all(timedelta(days=29) < r.due_at - now <= timedelta(days=30) for r in rows)
    await user.send("/plan")
    overview = user.last_bot_message.text or ""
    assert {"fa": "هنوز پرسیده نشده", "en": "not asked yet"}[locale] in overview

    # Not due yet; then due, but at night (quiet hours); then at 10:00 local: one check-in.
    assert await run_job(bot, local(locale, 20, 10)) == CheckInRun()
    assert await run_job(bot, local(locale, 31, 22)) == CheckInRun()
    assert await run_job(bot, local(locale, 31, 10)) == CheckInRun(sent=1)
    # At most one a day, however often the job runs.
    assert await run_job(bot, local(locale, 31, 15)) == CheckInRun()
    # One a day after that, each step once, then nothing more.
    for day in range(1, len(rows)):
        assert await run_job(bot, local(locale, 31 + day, 10)) == CheckInRun(sent=1)
    assert await run_job(bot, local(locale, 31 + len(rows), 10)) == CheckInRun()
    assert len(check_ins(user, locale)) == len(rows)
    assert all(r.checkin_at is not None for r in await plan_rows(bot))

    # The first check-in answered "blocked", for lack of budget; the last "done".
    first = next(m for m in user.bot_messages if CHECK_IN[locale] in (m.text or ""))
    blocked_data = next(data for text, data in first.buttons[1] if text == BLOCKED[locale])
    assert blocked_data is not None
    await user.press_data(blocked_data, first.message_id)
    await user.press(NO_BUDGET[locale])
    await user.press(DONE[locale])
    statuses = sorted(r.status for r in await plan_rows(bot))
    assert statuses.count("blocked") == 1 and statuses.count("done") == 1
    assert [r.blocked_reason for r in await plan_rows(bot) if r.status == "blocked"] == ["budget"]

    await user.send("/plan")
    overview = user.last_bot_message.text or ""
    assert NO_BUDGET[locale] in overview
    assert {"fa": "متوقف", "en": "blocked"}[locale] in overview


async def test_a_restart_and_two_replicas_send_each_check_in_once(
    emulator: BotApiEmulator, bot: RunningBot, settings: Settings, shipped_kb: KnowledgeBase
) -> None:
    users = [emulator.user(18100 + i, language_code="en") for i in range(3)]
    for user in users:
        await complete_checklist(user, shipped_kb, "en")
        await commit_first_month(user, "en")
    await bot.stop()  # a restart: the due check-ins live in the database
    first, second = await start_bot(emulator, settings), await start_bot(emulator, settings)
    try:
        at = local("en", 31, 10)
        runs = await asyncio.gather(run_job(first, at), run_job(second, at), run_job(first, at))
        assert sum(run.sent for run in runs) == 3
        assert [len(check_ins(user, "en")) for user in users] == [1, 1, 1]
        again = await asyncio.gather(run_job(first, at), run_job(second, at))
        assert sum(run.sent for run in again) == 0
    finally:
        await first.stop()
        await second.stop()
    bot.application, bot.runtime = second.application, second.runtime  # stopped once, by us


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_pause_stops_check_ins_and_resume_brings_them_back(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    user = emulator.user(18200 if locale == "fa" else 18201, language_code=locale)
    await complete_checklist(user, shipped_kb, locale)
    await commit_first_month(user, locale)

    await user.send("/plan pause")
    assert "/plan_resume" in (user.last_bot_message.text or "")
    assert await run_job(bot, local(locale, 31, 10)) == CheckInRun()
    await user.send("/plan_resume")
    assert await run_job(bot, local(locale, 31, 10)) == CheckInRun(sent=1)


async def test_forget_removes_the_plan_and_pending_check_ins(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(18301, language_code="fa")
    await complete_checklist(user, shipped_kb, "fa")
    await commit_first_month(user, "fa")
    assert await plan_rows(bot)

    await user.send("/forget")
    await user.press_data("forget:yes")

    assert await plan_rows(bot) == []
    async with bot.runtime.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(PlanSetting)) == 0
    assert await run_job(bot, local("fa", 31, 10)) == CheckInRun()
    assert check_ins(user, "fa") == []


async def test_a_forged_plan_button_is_refused(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    owner, other = (
        emulator.user(18401, language_code="en"),
        emulator.user(18402, language_code="en"),
    )
    await complete_checklist(owner, shipped_kb, "en")
    await commit_first_month(owner, "en")
    (step, *_) = await plan_rows(bot)
    await other.send("/start")  # any message with buttons to press on

    await other.press_data(f"pk:{step.assessment_id}:a")
    await other.press_data(f"pc:{step.id}:d")

    assert all(answer.show_alert for answer in other.callback_answers[-2:])
    assert {r.status for r in await plan_rows(bot)} == {"committed"}
    assert {r.respondent_id for r in await plan_rows(bot)} == {step.respondent_id}


def test_due_dates_show_in_the_solar_hijri_calendar_for_persian_readers() -> None:
    from handlers.plan.views import shown_date

    assert shown_date("fa", date(2026, 12, 7)) == "۱۴۰۵/۰۹/۱۶"
    assert shown_date("fa", date(2026, 3, 21)) == "۱۴۰۵/۰۱/۰۱"
    assert shown_date("en", date(2026, 12, 7)) == "2026-12-07"


async def test_check_ins_keep_to_a_time_zone_the_person_sets(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(18501, language_code="en")
    await complete_checklist(user, shipped_kb, "en")
    await commit_first_month(user, "en")

    await user.send("/plan tz Mars/Olympus")
    assert "Unknown time zone" in (user.last_bot_message.text or "")
    await user.send("/plan tz Asia/Tokyo")
    assert "Asia/Tokyo" in (user.last_bot_message.text or "")

    # 13:00 UTC is daytime by the default (UTC) but 22:00 in Tokyo: quiet.
    assert await run_job(bot, local("en", 31, 13)) == CheckInRun()
    tokyo_morning = datetime.combine(
        datetime.now(UTC).date() + timedelta(days=32), time(10), tzinfo=ZoneInfo("Asia/Tokyo")
    )
    assert await run_job(bot, tokyo_morning.astimezone(UTC)) == CheckInRun(sent=1)
