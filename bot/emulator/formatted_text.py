"""Telegram's clean-up of a message text and its entities (tdlib's fix_formatted_text)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.emulator.detection import detect_entities
from bot.emulator.entities import Entity, char_width, sort_entities, utf16_len, utf16_slice

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
