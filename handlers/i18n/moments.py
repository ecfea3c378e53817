"""A stored moment as its reader writes it: Solar Hijri in Iran time for Persian readers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import jdatetime

from knowledge import Locale, to_persian_digits

__all__ = ["IRAN_TIME", "moment_text"]

# Iran Standard Time, fixed (no daylight saving since 2022), as the report's dates use.
IRAN_TIME = timezone(timedelta(hours=3, minutes=30), "IRST")


def moment_text(locale: Locale, value: datetime) -> str:
    """`۱۴۰۵/۰۹/۱۶ ۰۹:۴۲` (Iran time) in Persian, `2026-12-07 06:12 UTC` in English.

    A naive moment is taken as UTC, as the database stores it.
    """
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if locale != "fa":
        return f"{aware.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    local = aware.astimezone(IRAN_TIME)
    day = jdatetime.date.fromgregorian(date=local.date())
    return to_persian_digits(f"{day.year:04d}/{day.month:02d}/{day.day:02d} {local:%H:%M}")
