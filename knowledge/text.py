"""Persian-aware text normalisation and digits, shared by input parsing, search and rendering."""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "fold_for_search",
    "normalise_digits",
    "normalise_text",
    "to_persian_digits",
]

_ARABIC_TO_PERSIAN = str.maketrans(
    {
        "ي": "ی",  # Arabic yeh
        "ى": "ی",  # alef maksura
        "ك": "ک",  # Arabic kaf
        "ۀ": "ه",  # heh with yeh above, as in «ارائۀ»
        "ة": "ه",  # teh marbuta
    }
)
_TO_ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_TO_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
# Arabic diacritics (harakat, tanwin, shadda, sukun, superscript alef) and tatweel.
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")
# Bidi controls and other invisible format characters a user may paste.
_INVISIBLE = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")


def normalise_digits(text: str) -> str:
    """Turn Persian and Arabic-Indic digits into ASCII digits."""
    return text.translate(_TO_ASCII_DIGITS)


def to_persian_digits(text: str) -> str:
    """Turn ASCII digits into Persian digits, for text shown to Persian readers."""
    return text.translate(_TO_PERSIAN_DIGITS)


def normalise_text(text: str) -> str:
    """Clean user-typed text: Persian letters and ASCII digits, no controls, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_ARABIC_TO_PERSIAN)
    text = normalise_digits(text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def fold_for_search(text: str) -> str:
    """A matching key: normalised, lower-case, no diacritics; ZWNJ and dashes count as spaces."""
    text = normalise_text(text.replace("\u200c", " ").replace("\u200d", ""))
    text = _DIACRITICS.sub("", text).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return _SPACES.sub(" ", text).strip()
