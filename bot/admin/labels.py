"""The panel's own words, fa and en, from bot/admin/locales (the chat's catalog system)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handlers.i18n import load_catalogs
from handlers.i18n.moments import moment_text
from knowledge import LOCALES, Locale, to_persian_digits

__all__ = ["LOCALES", "Labels", "text_direction"]


def text_direction(locale: Locale) -> str:
    """The direction of text in `locale`: rtl for Persian."""
    return "rtl" if locale == "fa" else "ltr"


class Labels:
    """Catalog strings for the panel: `text(locale, key)` or one member of a group."""

    def __init__(self) -> None:
        self.catalogs: dict[str, dict[str, Any]] = load_catalogs(["bot.admin"])

    def text(self, locale: Locale, key: str, member: str | None = None, /, **values: Any) -> str:
        """The label `key` (or `key`'s `member`) with numbers in the locale's digits."""
        entry = self.catalogs[locale][key]
        if member is not None:
            entry = entry[str(member)]
        if not isinstance(entry, str):
            raise KeyError(f"{key} is a group: name one of its members")
        return entry.format(**{k: self.number(locale, v) for k, v in values.items()})

    @staticmethod
    def number(locale: Locale, value: object) -> str:
        """A number (or any value) as text, Persian digits for Persian readers; 60.0 is 60."""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            # The Persian decimal separator: ۳۵٫۵, not ۳۵.۵.
            return (
                to_persian_digits(str(value).replace(".", "\u066b"))
                if locale == "fa"
                else str(value)
            )
        return str(value)

    @staticmethod
    def moment(locale: Locale, value: datetime) -> str:
        """A stored time: Solar Hijri in Iran time for Persian readers, else UTC."""
        return moment_text(locale, value)
