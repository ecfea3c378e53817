"""The words every part of the knowledge base is written in: locales, bilingual texts, lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["LOCALES", "Choice", "Locale", "ProfileOptions", "Reference", "Text"]

Locale = Literal["fa", "en"]
LOCALES: tuple[Locale, ...] = ("fa", "en")


@dataclass(frozen=True, slots=True)
class Text:
    """A human text in both languages."""

    fa: str
    en: str

    def get(self, locale: Locale) -> str:
        """Return the text in `locale`."""
        return self.fa if locale == "fa" else self.en


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a profile list (sector, region, role)."""

    key: str
    label: Text


@dataclass(frozen=True, slots=True)
class ProfileOptions:
    """The lists offered as buttons in the respondent's profile."""

    sectors: tuple[Choice, ...]
    regions: tuple[Choice, ...]
    roles: tuple[Choice, ...]


@dataclass(frozen=True, slots=True)
class Reference:
    """A bibliographic record; never translated."""

    key: str
    authors: tuple[str, ...]
    year: int | None
    title: str
    venue: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    url: str = ""

    @property
    def link(self) -> str:
        """The DOI link when there is a DOI, else the URL."""
        return f"https://doi.org/{self.doi}" if self.doi else self.url
