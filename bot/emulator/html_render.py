"""Entities back to Telegram HTML: the inverse of parse_html, for showing messages."""

from __future__ import annotations

import html as std_html

from bot.emulator.entities import Entity, sort_entities, utf16_prefix


def _open_tag(entity: Entity) -> tuple[str, str] | None:
    """Return the (start, end) tags that express ``entity``, or None for plain text."""
    kind = entity["type"]
    simple = {
        "bold": "b",
        "italic": "i",
        "underline": "u",
        "strikethrough": "s",
        "spoiler": "tg-spoiler",
        "code": "code",
        "blockquote": "blockquote",
    }
    if kind in simple:
        return f"<{simple[kind]}>", f"</{simple[kind]}>"
    if kind == "expandable_blockquote":
        return "<blockquote expandable>", "</blockquote>"
    if kind == "pre":
        language = entity.get("language")
        if language:
            return f'<pre><code class="language-{std_html.escape(language)}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind == "text_link":
        return f'<a href="{std_html.escape(entity["url"])}">', "</a>"
    if kind == "text_mention":
        return f'<a href="tg://user?id={entity["user"]["id"]}">', "</a>"
    if kind == "custom_emoji":
        return f'<tg-emoji emoji-id="{entity["custom_emoji_id"]}">', "</tg-emoji>"
    return None


def render_html(text: str, entities: list[Entity]) -> str:
    """Render plain text + entities as Telegram HTML (the inverse of parse_html)."""
    tagged = [(e, tags) for e in sort_entities(entities) if (tags := _open_tag(e)) is not None]
    offsets = utf16_prefix(text)
    index_of = {offset: i for i, offset in enumerate(offsets)}
    opens: dict[int, list[tuple[int, Entity, tuple[str, str]]]] = {}
    for order, (entity, tags) in enumerate(tagged):
        start = index_of.get(entity["offset"])
        if start is not None:
            opens.setdefault(start, []).append((order, entity, tags))
    parts: list[str] = []
    stack: list[tuple[int, int, tuple[str, str]]] = []  # (end index, order, tags)
    for i in range(len(text) + 1):
        # Close entities ending here; reopen any crossing entity closed on the way.
        if any(end == i for end, _, _ in stack):
            reopen = []
            while any(end == i for end, _, _ in stack):
                end, order, tags = stack.pop()
                parts.append(tags[1])
                if end != i:
                    reopen.append((end, order, tags))
            for item in reversed(reopen):
                parts.append(item[2][0])
                stack.append(item)
        for order, entity, tags in opens.get(i, []):
            end_index = index_of.get(entity["offset"] + entity["length"], len(text))
            parts.append(tags[0])
            stack.append((end_index, order, tags))
        if i < len(text):
            parts.append(std_html.escape(text[i], quote=False))
    return "".join(parts)
