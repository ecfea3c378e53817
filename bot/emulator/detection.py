"""Entity auto-detection: the mentions, hashtags, commands, URLs and emails Telegram finds."""

from __future__ import annotations

import re

from bot.emulator.entities import Entity, sort_entities, utf16_prefix

_URL_RE = re.compile(r"(?:https?|tg|ftp)://[^\s<>\"]+", re.IGNORECASE)
_BARE_DOMAIN_RE = re.compile(
    r"(?:www\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|org|net|ir|io|me|dev|info|gov|edu|app|ai|co|uk|de|ru|eu)"
    r"(?::\d{1,5})?(?:/[^\s<>\"]*)?",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", re.IGNORECASE)
_TRAILING_URL_PUNCT = ".,;:!?'\")»"


def _is_word_char(ch: str) -> bool:
    """Return True for tdlib's word characters (letters, numbers, underscore)."""
    return ch.isalnum() or ch == "_"


def _is_ascii_word(ch: str) -> bool:
    """Return True for [A-Za-z0-9_]."""
    return ch.isascii() and (ch.isalnum() or ch == "_")


def _is_hashtag_letter(ch: str) -> bool:
    """Return True for characters allowed inside a hashtag."""
    return ch.isalnum() or ch in "_\u200c\u00b7" or "\u0d80" <= ch <= "\u0dff"


def _match_mentions(text: str) -> list[tuple[int, int]]:
    """Find ``@username`` spans (character indices)."""
    spans = []
    for i, ch in enumerate(text):
        if ch != "@" or (i > 0 and _is_word_char(text[i - 1])):
            continue
        j = i + 1
        while j < len(text) and _is_ascii_word(text[j]):
            j += 1
        if 2 <= j - i - 1 <= 32 and not (j < len(text) and _is_word_char(text[j])):
            spans.append((i, j))
    return spans


def _match_bot_commands(text: str) -> list[tuple[int, int]]:
    """Find ``/command`` and ``/command@bot`` spans."""
    spans = []
    fence = "/<>"
    for i, ch in enumerate(text):
        if ch != "/" or (i > 0 and (_is_word_char(text[i - 1]) or text[i - 1] in fence)):
            continue
        j = i + 1
        while j < len(text) and _is_ascii_word(text[j]):
            j += 1
        if not 1 <= j - i - 1 <= 64:
            continue
        if j < len(text) and text[j] == "@":
            k = j + 1
            while k < len(text) and _is_ascii_word(text[k]):
                k += 1
            if not 3 <= k - j - 1 <= 32:
                continue
            j = k
        if j < len(text) and (_is_word_char(text[j]) or text[j] in fence):
            continue
        spans.append((i, j))
    return spans


def _match_hashtags(text: str) -> list[tuple[int, int]]:
    """Find ``#hashtag`` spans that contain at least one letter."""
    spans = []
    for i, ch in enumerate(text):
        if ch != "#" or (i > 0 and _is_hashtag_letter(text[i - 1])):
            continue
        j = i + 1
        while j < len(text) and _is_hashtag_letter(text[j]):
            j += 1
        body = text[i + 1 : j]
        if body and any(c.isalpha() for c in body) and not (j < len(text) and text[j] == "#"):
            spans.append((i, min(j, i + 257)))
    return spans


def _match_cashtags(text: str) -> list[tuple[int, int]]:
    """Find ``$USD``-style spans."""
    spans = []
    for i, ch in enumerate(text):
        if ch != "$" or (i > 0 and (_is_hashtag_letter(text[i - 1]) or text[i - 1] == "$")):
            continue
        j = i + 1
        while j < len(text) and "A" <= text[j] <= "Z":
            j += 1
        if 1 <= j - i - 1 <= 8 and not (
            j < len(text) and (_is_hashtag_letter(text[j]) or text[j] == "$")
        ):
            spans.append((i, j))
    return spans


def _match_regex(pattern: re.Pattern[str], text: str, *, trim: bool) -> list[tuple[int, int]]:
    """Find regex spans not glued to a preceding word character."""
    spans = []
    for match in pattern.finditer(text):
        start, end = match.span()
        if start > 0 and (_is_word_char(text[start - 1]) or text[start - 1] in "@/.-"):
            continue
        while trim and end > start and text[end - 1] in _TRAILING_URL_PUNCT:
            end -= 1
        if end < len(text) and (text[end] == "@" or (not trim and _is_word_char(text[end]))):
            continue
        spans.append((start, end))
    return spans


def detect_entities(text: str) -> list[Entity]:
    """Find the entities Telegram adds by itself: mentions, hashtags, commands, URLs, emails.

    URL detection is simplified: explicit schemes plus a small list of common TLDs.
    """
    found: list[tuple[int, int, str]] = []
    for kind, spans in (
        ("url", _match_regex(_URL_RE, text, trim=True)),
        ("email", _match_regex(_EMAIL_RE, text, trim=False)),
        ("url", _match_regex(_BARE_DOMAIN_RE, text, trim=True)),
        ("bot_command", _match_bot_commands(text)),
        ("mention", _match_mentions(text)),
        ("hashtag", _match_hashtags(text)),
        ("cashtag", _match_cashtags(text)),
    ):
        found.extend((start, end, kind) for start, end in spans)
    offsets = utf16_prefix(text)
    taken: list[tuple[int, int]] = []
    result: list[Entity] = []
    for start, end, kind in found:  # earlier kinds win overlaps
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        result.append(
            {"type": kind, "offset": offsets[start], "length": offsets[end] - offsets[start]}
        )
    return sort_entities(result)
