"""The platforms a step may recommend: names in both languages, and whether citizens reach them.

Steps name platforms by key (`platforms: [bale, eitaa]`) and write `{platforms}` where the names
go; the KB's filtered platforms fill `{filtered}`. The names come from the KB's `platforms` list
in the reader's language, so that a platform is named, or dropped, in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # model.py imports this module; Text is only an annotation here
    from knowledge.model import Locale, Text

__all__ = ["PLACEHOLDERS", "Platform", "Reach", "fill_platforms", "join_names"]

#: What a step's text may hold where platform names go.
PLACEHOLDERS: tuple[str, ...] = ("{platforms}", "{filtered}")
_OR: dict[str, tuple[str, str]] = {"fa": ("، ", " یا "), "en": (", ", " or ")}


class Reach(StrEnum):
    """Whether the agency's citizens in Iran can reach a platform."""

    DOMESTIC = "domestic"  # an Iranian service, reachable without a VPN
    INTERNATIONAL = "international"  # reachable in Iran, run from abroad
    FILTERED = "filtered"  # blocked in Iran: no service may rest on it


@dataclass(frozen=True, slots=True)
class Platform:
    """A messenger or social network, with where it is reachable and a note for editors."""

    key: str
    name: Text
    reach: Reach
    note: Text | None = None


def join_names(names: Sequence[str], locale: Locale) -> str:
    """Names as a reader lists alternatives: «بله، ایتا یا سروش», 'Bale, Eitaa or Soroush'."""
    comma, last = _OR[locale]
    if len(names) < 2:
        return "".join(names)
    return comma.join(names[:-1]) + last + names[-1]


def fill_platforms(
    text: str, locale: Locale, chosen: Sequence[Platform], filtered: Sequence[Platform]
) -> str:
    """`text` with `{platforms}` and `{filtered}` replaced by the platforms' names in `locale`."""
    for placeholder, platforms in zip(PLACEHOLDERS, (chosen, filtered), strict=True):
        text = text.replace(
            placeholder, join_names([p.name.get(locale) for p in platforms], locale)
        )
    return text
