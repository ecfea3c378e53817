"""The panel's own words, fa and en, from bot/templates/admin/labels.<locale>.yaml."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from typing import Any

import yaml

from knowledge import Locale, to_persian_digits

__all__ = ["LOCALES", "Labels", "text_direction"]

LOCALES: tuple[Locale, ...] = ("fa", "en")


def text_direction(locale: Locale) -> str:
    """The direction of text in `locale`: rtl for Persian."""
    return "rtl" if locale == "fa" else "ltr"


class Labels:
    """Catalog strings for the panel: `text(locale, key)` or one member of a group."""

    def __init__(self) -> None:
        root = resources.files("bot") / "templates" / "admin"
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when present
        self.catalogs: dict[Locale, dict[str, Any]] = {
            locale: yaml.load((root / f"labels.{locale}.yaml").read_text(encoding="utf-8"), loader)
            for locale in LOCALES
        }

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
            return to_persian_digits(str(value)) if locale == "fa" else str(value)
        return str(value)

    @staticmethod
    def moment(locale: Locale, value: datetime) -> str:
        """A time as `YYYY-MM-DD HH:MM UTC`, Persian digits for Persian readers."""
        shown = f"{value:%Y-%m-%d %H:%M} UTC"
        return to_persian_digits(shown) if locale == "fa" else shown
