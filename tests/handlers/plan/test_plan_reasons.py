"""The blocking reasons come from the active KB: its titles, its keys; old rows still show."""

from __future__ import annotations

from typing import Any

from bot.emulator import BotApiEmulator
from bot.settings import Settings
from handlers import callbacks
from handlers.statistics.blockers import block_reason_label
from knowledge import KnowledgeBase, Locale, load_kb
from tests.auxil.admin import edited_document
from tests.auxil.harness import RunningBot, start_bot
from tests.handlers.plan.test_plan import (
    NO_BUDGET,
    check_ins,
    commit_first_month,
    complete_checklist,
    local,
    plan_rows,
    run_job,
)
from tests.handlers.plan.test_plan_notes import deliver_to

NO_FUNDS = {"fa": "نبود اعتبار", "en": "no funds"}
PROCUREMENT = {"fa": "گیر در خرید", "en": "stuck in procurement"}


def retitled(document: dict[str, Any]) -> None:
    """Budget retitled, technical dropped, procurement added (before other)."""
    reasons = [r for r in document["block_reasons"] if r["key"] != "technical"]
    reasons[0]["title"] = NO_FUNDS
    reasons.insert(-1, {"key": "procurement", "title": PROCUREMENT})
    document["block_reasons"] = reasons


async def test_a_kb_admin_edits_the_reasons_and_the_check_in_and_plan_follow(
    emulator: BotApiEmulator, bot: RunningBot, settings: Settings, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(18801, language_code="en")
    await complete_checklist(user, shipped_kb, "en")
    await commit_first_month(user, "en")
    assert (await run_job(bot, local("en", 31, 10))).sent == 1
    assert len(check_ins(user, "en")) == 1
    (step,) = [r for r in await plan_rows(bot) if r.checkin_at is not None]
    assert step.id is not None

    await user.press_data(callbacks.encode(callbacks.CheckInAnswer(step.id, "blocked")))
    shipped = [text for row in user.last_bot_message.buttons for text, _ in row]
    assert shipped == ["no budget", "no mandate", "no staff", "legal doubt", "technical", "other"]
    await user.press(NO_BUDGET["en"])

    await bot.runtime.services.kb_admin.activate(
        edited_document(shipped_kb, retitled), author="web:admin", note="reasons"
    )
    second = await start_bot(emulator, settings)  # reads the new active revision at once
    try:
        deliver_to(emulator, second)
        await user.send("/plan")
        assert f"blocked ({NO_FUNDS['en']})" in (user.last_bot_message.text or "")

        # The next day's check-in, about the next step, offers the new KB's reasons.
        assert (await run_job(second, local("en", 32, 10))).sent == 1
        (later,) = [r for r in await plan_rows(bot) if r.checkin_at and r.id != step.id]
        assert later.id is not None
        await user.press_data(callbacks.encode(callbacks.CheckInAnswer(later.id, "blocked")))
        offered = [text for row in user.last_bot_message.buttons for text, _ in row]
        kept = ["no funds", "no mandate", "no staff", "legal doubt"]
        assert offered == [*kept, PROCUREMENT["en"], "other"]
        why = user.last_bot_message.message_id
        # A reason the active KB dropped is refused, even from an old keyboard.
        dropped = callbacks.encode(callbacks.CheckInReason(later.id, "technical"))
        await user.press_data(dropped, why)
        assert user.callback_answers[-1].show_alert
        await user.press(PROCUREMENT["en"])
        reasons = {r.id: r.blocked_reason for r in await plan_rows(bot)}
        assert (reasons[step.id], reasons[later.id]) == ("budget", "procurement")
        await user.send("/plan")
        shown = user.last_bot_message.text or ""
        assert f"({NO_FUNDS['en']})" in shown and f"({PROCUREMENT['en']})" in shown
    finally:
        await second.stop()


def test_a_key_the_kb_no_longer_lists_falls_back_to_the_catalog(
    bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    renderer = bot.runtime.services.renderer
    without = load_kb(edited_document(shipped_kb, retitled))
    before_the_list = edited_document(shipped_kb)
    del before_the_list["block_reasons"]
    old = load_kb(before_the_list)
    labels: tuple[tuple[Locale, str, str], ...] = (
        ("fa", "مشکل فنی", "دلیل دیگر"),
        ("en", "technical", "other"),
    )
    for locale, technical, other in labels:
        assert block_reason_label(renderer, locale, without, "budget") == NO_FUNDS[locale]
        # Dropped by the KB, still a catalog key: the catalog's label.
        assert block_reason_label(renderer, locale, without, "technical") == technical
        # Neither in the KB nor in the catalog (a key of a KB that has since dropped it).
        assert block_reason_label(renderer, locale, shipped_kb, "procurement") == other
        assert block_reason_label(renderer, locale, old, "budget") == NO_BUDGET[locale]
        assert block_reason_label(renderer, locale, None, "mandate") != "mandate"
