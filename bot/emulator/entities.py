"""Message entities: the Entity type, UTF-16 offsets, Telegram's order and validation."""

from __future__ import annotations

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
