"""Message entities: UTF-16 offsets, Telegram's text clean-up and entity auto-detection."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

Entity = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

# Sort priorities from tdlib's MessageEntity::get_type_priority (lower sorts first).
_TYPE_PRIORITY: dict[str, int] = {
    "blockquote": 0,
    "expandable_blockquote": 1,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "mention": 50,
    "hashtag": 50,
    "cashtag": 50,
    "bot_command": 50,
    "url": 50,
    "email": 50,
    "phone_number": 50,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
KNOWN_TYPES = frozenset(_TYPE_PRIORITY)
# Entities that other (auto-detected) entities must not overlap.
_EXCLUSIVE_TYPES = frozenset(
    {
        "pre",
        "code",
        "text_link",
        "text_mention",
        "custom_emoji",
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
    }
)
# Characters tdlib strips from texts: \r, U+2028..U+202E, some combining vertical lines.
_REMOVED_CHARS = frozenset("\r\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u0333\u033f\u030a")


def char_width(ch: str) -> int:
    """Return how many UTF-16 code units a single character takes."""
    return 2 if ord(ch) > 0xFFFF else 1


def utf16_len(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units, as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def utf16_prefix(text: str) -> list[int]:
    """Return the UTF-16 offset of every character boundary of ``text`` (len(text)+1 items)."""
    offsets = [0]
    for ch in text:
        offsets.append(offsets[-1] + char_width(ch))
    return offsets


def utf16_slice(text: str, offset: int, length: int) -> str:
    """Return the substring covered by a UTF-16 ``offset``/``length`` pair."""
    data = text.encode("utf-16-le")
    return data[2 * offset : 2 * (offset + length)].decode("utf-16-le", errors="replace")


def entity_sort_key(entity: Entity) -> tuple[int, int, int]:
    """Order entities like tdlib: by offset, longer first, then by type priority."""
    return (entity["offset"], -entity["length"], _TYPE_PRIORITY.get(entity["type"], 100))


def sort_entities(entities: Iterable[Entity]) -> list[Entity]:
    """Return the entities in Telegram's canonical order."""
    return sorted(entities, key=entity_sort_key)


def clean_entity(raw: object) -> Entity | None:
    """Validate a caller-supplied entity object, keeping only the fields Telegram keeps."""
    if not isinstance(raw, dict):
        return None
    kind, offset, length = raw.get("type"), raw.get("offset"), raw.get("length")
    if kind not in KNOWN_TYPES or not isinstance(offset, int) or not isinstance(length, int):
        return None
    if offset < 0 or length <= 0:
        return None
    entity: Entity = {"type": kind, "offset": offset, "length": length}
    if kind == "text_link":
        url = raw.get("url")
        if not isinstance(url, str) or not url:
            return None
        entity["url"] = url
    elif kind == "pre" and isinstance(raw.get("language"), str) and raw["language"]:
        entity["language"] = raw["language"]
    elif kind == "text_mention":
        if not isinstance(raw.get("user"), dict):
            return None
        entity["user"] = raw["user"]
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = str(raw.get("custom_emoji_id", ""))
    return entity


def _inside(inner: Entity, outer: Entity) -> bool:
    """Tell whether ``inner`` lies within ``outer``."""
    return bool(
        outer["offset"] <= inner["offset"]
        and inner["offset"] + inner["length"] <= outer["offset"] + outer["length"]
    )


def _overlaps(a: Entity, b: Entity) -> bool:
    """Tell whether two entities share at least one code unit."""
    return bool(a["offset"] < b["offset"] + b["length"] and b["offset"] < a["offset"] + a["length"])


def fix_formatted_text(
    text: str, entities: Iterable[Entity], *, detect: bool = True
) -> tuple[str, list[Entity]]:
    """Clean a text like tdlib's fix_formatted_text: drop control chars, trim, add auto entities.

    Returns the resulting text (possibly empty) and its sorted entities.
    """
    # Map every old UTF-16 boundary to its new position while rewriting characters.
    chars: list[str] = []
    new_at: dict[int, int] = {}
    old16 = new16 = 0
    for ch in text:
        new_at[old16] = new16
        old16 += char_width(ch)
        if ch in _REMOVED_CHARS:
            continue
        if ord(ch) < 32 and ch != "\n":
            ch = " "
        chars.append(ch)
        new16 += char_width(ch)
    new_at[old16] = new16
    result = "".join(chars)

    fixed: list[Entity] = []
    for entity in sort_entities(entities):
        start = min(entity["offset"], old16)
        end = min(entity["offset"] + entity["length"], old16)
        if start not in new_at or end not in new_at:
            continue  # starts or ends inside a surrogate pair
        moved = dict(entity, offset=new_at[start], length=new_at[end] - new_at[start])
        if moved["length"] > 0 and utf16_slice(result, moved["offset"], moved["length"]).strip(
            " \n"
        ):
            fixed.append(moved)

    # Nothing may be nested inside code or pre.
    blocks = [e for e in fixed if e["type"] in ("code", "pre")]
    fixed = [e for e in fixed if not any(b is not e and _inside(e, b) for b in blocks)]

    # rtrim, then ltrim up to the first entity.
    stripped = result.rstrip(" \n")
    end16 = utf16_len(stripped)
    for entity in fixed:
        entity["length"] = min(entity["offset"] + entity["length"], end16) - entity["offset"]
    fixed = [e for e in fixed if e["length"] > 0]
    first_entity = min((e["offset"] for e in fixed), default=end16)
    lead = len(stripped) - len(stripped.lstrip(" \n"))
    lead = min(lead, first_entity)  # leading whitespace is 1 code unit per char
    stripped = stripped[lead:]
    for entity in fixed:
        entity["offset"] -= lead

    if detect and stripped:
        for found in detect_entities(stripped):
            if not any(_overlaps(found, e) for e in fixed if e["type"] in _EXCLUSIVE_TYPES):
                fixed.append(found)
    return stripped, sort_entities(fixed)


# --------------------------------------------------------------------------- auto-detection

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
