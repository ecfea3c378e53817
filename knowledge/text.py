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

_ZWNJ = "\u200c"
_ARABIC_TO_PERSIAN = str.maketrans(
    {
        "ي": "ی",  # Arabic yeh
        "ى": "ی",  # alef maksura
        "ك": "ک",  # Arabic kaf
        "ۀ": "ه",  # heh with yeh above, as in «ارائۀ»
        "ة": "ه",  # teh marbuta
    }
)
# Spelling variants a search should not tell apart; applied after hamza and madda are stripped.
_SEARCH_LETTERS = str.maketrans({"ٱ": "ا", "ە": "ه", "ھ": "ه"})
_TO_ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_PERSIAN_DIGITS = tuple(zip("0123456789", "۰۱۲۳۴۵۶۷۸۹", strict=True))
# Combining marks: Latin accents, Arabic harakat, tanwin, shadda, sukun, hamza and madda
# above/below, superscript alef, Quranic marks; plus tatweel, which only stretches a word.
_MARKS = re.compile(
    "[\u0300-\u036f\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4"
    "\u06e7\u06e8\u06ea-\u06ed\u08d3-\u08ff]"
)
# Bidi controls (LRM, RLM, ALM, embeddings, isolates) and other invisible characters a user
# may paste: zero-width space, word joiner, soft hyphen, byte-order mark.
_INVISIBLE = re.compile("[\u00ad\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A ZWNJ run with the spaces around it (spaces already collapsed), to fix stray or doubled ZWNJs.
_ZWNJ_RUN = re.compile(" ?\u200c[\u200c ]*")
_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[\W_]+")


def normalise_digits(text: str) -> str:
    """Turn Persian and Arabic-Indic digits into ASCII digits."""
    return text.translate(_TO_ASCII_DIGITS)


def to_persian_digits(text: str) -> str:
    """Turn ASCII digits into Persian digits, for text shown to Persian readers."""
    # Ten replaces, each a scan in C, instead of str.translate: translating into non-ASCII
    # looks every character up in the table, 13 times slower for a KB text of 360 characters
    # (26 against 2 µs); the results apply this to every KB text they show.
    for ascii_digit, persian_digit in _PERSIAN_DIGITS:
        if ascii_digit in text:
            text = text.replace(ascii_digit, persian_digit)
    return text


def _fix_zwnj(match: re.Match[str]) -> str:
    return _ZWNJ if match.group().strip(_ZWNJ) == "" else " "


def normalise_text(text: str) -> str:
    """Clean user-typed text: Persian letters and ASCII digits, no controls, single spaces."""
    # Invisibles go before NFC, so that what they separated can compose (idempotence).
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", text))
    text = unicodedata.normalize("NFC", text).translate(_ARABIC_TO_PERSIAN)
    text = normalise_digits(text)
    text = _ZWNJ_RUN.sub(_fix_zwnj, _SPACES.sub(" ", text))
    return text.strip(" " + _ZWNJ)


def fold_for_search(text: str) -> str:
    """A matching key: normalised, lower-case, no marks; ZWNJ and punctuation count as spaces."""
    text = normalise_text(text.replace(_ZWNJ, " ").replace("\u200d", ""))
    # NFKD around casefold, as in Unicode's NFKC_Casefold, so «ℌ» and «ǰ» fold fully.
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    text = _MARKS.sub("", text).translate(_ARABIC_TO_PERSIAN).translate(_SEARCH_LETTERS)
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()
