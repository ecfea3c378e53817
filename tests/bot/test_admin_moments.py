"""The panel's times: Solar Hijri in Iran time for Persian readers, UTC for English ones."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.admin.labels import Labels


def test_a_persian_reader_sees_the_solar_hijri_day_and_iran_time() -> None:
    stored = datetime(2026, 12, 7, 6, 12)  # naive, as the database keeps it: UTC
    assert Labels.moment("fa", stored) == "۱۴۰۵/۰۹/۱۶ ۰۹:۴۲"
    assert Labels.moment("fa", stored.replace(tzinfo=UTC)) == "۱۴۰۵/۰۹/۱۶ ۰۹:۴۲"
    # Late in the UTC day is already the next day in Iran.
    assert Labels.moment("fa", datetime(2026, 12, 6, 21, 0)) == "۱۴۰۵/۰۹/۱۶ ۰۰:۳۰"


def test_an_english_reader_sees_the_gregorian_utc_time() -> None:
    assert Labels.moment("en", datetime(2026, 12, 7, 6, 12)) == "2026-12-07 06:12 UTC"
