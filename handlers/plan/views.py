"""The plan's screens: the steps to commit to, /plan, the check-in and its reasons."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers import callbacks
from handlers.i18n import Renderer
from handlers.plan.service import CheckIn, Offer, Overview
from handlers.replies import Reply, split_message
from handlers.statistics.blockers import block_reason_label
from knowledge import KnowledgeBase, Locale, to_persian_digits
from knowledge.block_reasons import offered_reasons
from knowledge.steps import HORIZONS, Horizon

__all__ = [
    "commit_button_row",
    "offer_keyboard",
    "reasons_keyboard",
    "render_check_in",
    "render_offer",
    "render_overview",
    "shown_date",
]

_COLUMNS = 5


def _button(text: str, callback: callbacks.Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.encode(callback))


def commit_button_row(
    renderer: Renderer, locale: Locale, assessment_id: int
) -> list[InlineKeyboardButton]:
    """The "commit to plan steps" button, as one row for the keyboard under the results."""
    return [_button(renderer.text(locale, "button_plan_commit"), callbacks.OpenPlan(assessment_id))]


def render_offer(renderer: Renderer, locale: Locale, offer: Offer) -> list[Reply]:
    """The plan grouped by horizon and numbered, split under Telegram's length limit; the
    buttons (a number per step, and "all first-30-day steps") under the last part."""
    if not offer.steps:
        return [Reply(renderer.text(locale, "plan_offer_empty"))]
    numbered = list(enumerate(offer.steps, start=1))
    groups = [
        {"horizon": horizon.value, "steps": [(i, s) for i, s in numbered if s.horizon is horizon]}
        for horizon in HORIZONS
    ]
    text = renderer.render(
        locale, "plan_offer.html", groups=[group for group in groups if group["steps"]]
    )
    parts = split_message(text)
    return [
        *(Reply(part) for part in parts[:-1]),
        Reply(parts[-1], offer_keyboard(renderer, locale, offer)),
    ]


def offer_keyboard(renderer: Renderer, locale: Locale, offer: Offer) -> InlineKeyboardMarkup:
    """A button per step (✓ once committed) and one for every first-30-day step."""
    buttons = [
        _button(
            renderer.text(locale, "plan_step_number", number=i + 1)
            + (" ✓" if step.step_id in offer.committed else ""),
            callbacks.CommitStep(offer.assessment_id, i),
        )
        for i, step in enumerate(offer.steps)
    ]
    rows = [buttons[i : i + _COLUMNS] for i in range(0, len(buttons), _COLUMNS)]
    if any(step.horizon is Horizon.D30 for step in offer.steps):
        every = callbacks.CommitStep(offer.assessment_id, None)
        rows.append([_button(renderer.text(locale, "button_plan_all_d30"), every)])
    return InlineKeyboardMarkup(rows)


def render_overview(renderer: Renderer, locale: Locale, overview: Overview) -> str:
    """/plan: the committed steps with their due dates and status."""
    dates = {step.plan_step_id: shown_date(locale, step.due_on) for step in overview.steps}
    reasons = {
        step.plan_step_id: block_reason_label(renderer, locale, overview.kb, step.blocked_reason)
        for step in overview.steps
        if step.blocked_reason
    }
    return renderer.render(
        locale,
        "plan_overview.html",
        steps=overview.steps,
        dates=dates,
        reasons=reasons,
        paused=overview.paused,
    )


def render_check_in(renderer: Renderer, check_in: CheckIn) -> tuple[str, InlineKeyboardMarkup]:
    """The check-in question about one due step, with its four answers."""
    locale = check_in.locale
    text = renderer.render(
        locale, "check_in.html", text=check_in.text, due=shown_date(locale, check_in.due_on)
    )
    buttons = [
        _button(
            renderer.text(locale, "button_checkin", status),
            callbacks.CheckInAnswer(check_in.plan_step_id, status),
        )
        for status in callbacks.CHECK_IN_CODES
    ]
    return text, InlineKeyboardMarkup([buttons[:2], buttons[2:]])


def reasons_keyboard(
    renderer: Renderer, locale: Locale, kb: KnowledgeBase, plan_step_id: int
) -> InlineKeyboardMarkup:
    """What blocks a step: one button per reason the KB offers, two to a row."""
    buttons = [
        _button(
            block_reason_label(renderer, locale, kb, reason),
            callbacks.CheckInReason(plan_step_id, reason),
        )
        for reason in offered_reasons(kb)
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def shown_date(locale: Locale, day: date) -> str:
    """A date as its reader expects it: Solar Hijri with Persian digits, or ISO 8601."""
    if locale != "fa":
        return day.isoformat()
    year, month, dom = _solar_hijri(day)
    return to_persian_digits(f"{year:04d}/{month:02d}/{dom:02d}")


def _solar_hijri(day: date) -> tuple[int, int, int]:
    """The Solar Hijri (Jalali) date of a Gregorian date (the arithmetic algorithm, 1178-1633)."""
    gy, gm, gd = day.year, day.month, day.day
    g_days = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
    gy2 = gy + 1 if gm > 2 else gy
    days = (
        355666
        + 365 * gy
        + (gy2 + 3) // 4
        - (gy2 + 99) // 100
        + (gy2 + 399) // 400
        + gd
        + g_days[gm - 1]
    )
    jy = -1595 + 33 * (days // 12053)
    days %= 12053
    jy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        jy += (days - 1) // 365
        days = (days - 1) % 365
    if days < 186:
        return jy, 1 + days // 31, 1 + days % 31
    return jy, 7 + (days - 186) // 30, 1 + (days - 186) % 30
