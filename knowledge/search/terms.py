"""The terms of a text for search: words folded, stop words dropped, Persian and English stemmed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from knowledge.model import Text
from knowledge.text import fold_for_search

__all__ = ["both_languages", "query_terms", "terms"]

# Only the start of a pasted essay is read, and only its first terms are scored.
_MAX_QUERY_CHARS = 2_000
_MAX_QUERY_TERMS = 32

_STOP_WORDS_EN = """
a about all an and any are as at be been being but by can could do does for from had has have
how i if in into is it its me more most my no not of on or our should so some tell than that the
their them then there these they this those to us was we were what when where which who why will
with would you your
"""
_STOP_WORDS_FA = """
آن آنها آیا از اگر ام اما ای این اینها با باید بر برای به بی پس تا چطور چگونه چه چی چیست
درباره در را که کدام کنیم کند کنند کرد ما من می می‌شود نه هر هم های ها هست است نیست و یا یک ی
"""
_STOP_WORDS = frozenset(fold_for_search(_STOP_WORDS_EN + _STOP_WORDS_FA).split())
# Persian suffixes, longest first: plural ها/های/ات/ان and the adjectival or ezafe ی.
_FA_SUFFIXES = ("هایی", "های", "ها", "ات", "ان", "ی")
_FA_MIN_STEM = 3
_PERSIAN = re.compile("[\u0600-\u06ff]")
_VOWEL = re.compile("[aeiouy]")


def query_terms(query: str) -> tuple[str, ...]:
    """The terms of a query, in order, from its first characters and at most its first terms."""
    return tuple(islice(terms(query[:_MAX_QUERY_CHARS]), _MAX_QUERY_TERMS))


def terms(text: str) -> Iterator[str]:
    """The stemmed terms of `text`, in order, without stop words or one-letter terms."""
    for word in fold_for_search(text).split():
        if word in _STOP_WORDS:
            continue
        term = _stem(word)
        if len(term) > 1 and term not in _STOP_WORDS:
            yield term


def both_languages(text: Text) -> tuple[str, str]:
    """A KB text in Persian and in English: both are indexed, so either finds it."""
    return (text.fa, text.en)


def _stem(word: str) -> str:
    if _PERSIAN.search(word):
        return _stem_fa(word)
    if word.isascii() and word.isalpha():
        return _stem_en(word)
    return word


def _stem_fa(word: str) -> str:
    # Two passes, so that «سازمانی» and «سازمان» (and «سازمان‌های») meet.
    for _ in range(2):
        for suffix in _FA_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= _FA_MIN_STEM:
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


def _stem_en(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and _VOWEL.search(stem):
            if not word.endswith("eed"):
                word = _undouble(stem)
            break
    # «create», «created» and «creating» all become «creat».
    return word[:-1] if len(word) >= 5 and word.endswith("e") else word


def _undouble(stem: str) -> str:
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeioulsfz":
        return stem[:-1]
    return stem
