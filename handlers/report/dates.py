"""Dates in the report: Solar Hijri in Persian digits for Persian readers, else Gregorian."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import jdatetime

from knowledge import Locale, to_persian_digits

__all__ = ["IRAN_TIME", "local_date", "report_date", "solar_hijri"]

# Iran Standard Time; Iran has kept no daylight saving time since 2022. A fixed offset needs no
# tz database (the slim image has none), and the agencies the report is for are all in Iran.
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
IRAN_TIME = timezone(timedelta(hours=3, minutes=30), "IRST")


def local_date(moment: datetime) -> date:
    """The calendar day of `moment` in Iran (a naive moment is taken as UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(IRAN_TIME).date()


def solar_hijri(day: date) -> tuple[int, int, int]:
    """The Solar Hijri (Jalali) year, month and day of a Gregorian `day`."""
    jalali = jdatetime.date.fromgregorian(date=day)
    return jalali.year, jalali.month, jalali.day


def report_date(locale: Locale, moment: datetime) -> str:
    """The day as a reader of `locale` writes it: ۱۴۰۵/۰۹/۱۵ in Persian, 6 December 2026 in
    English."""
    day = local_date(moment)
    if locale == "fa":
        year, month, dom = solar_hijri(day)
        return to_persian_digits(f"{year:04d}/{month:02d}/{dom:02d}")
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"  # not %B: that follows LC_TIME
