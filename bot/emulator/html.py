"""Telegram's HTML parse mode: HTML to plain text + entities (rendering back: html_render.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.emulator.char_refs import decode_entity
from bot.emulator.entities import Entity, char_width, sort_entities
from bot.emulator.links import checked_link

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_SPACES = " \t\r\n\v\0"
_USER_LINK_RE = re.compile(r"tg://user\?id=(\d+)$", re.IGNORECASE)


class HtmlParseError(ValueError):
    """Raised for HTML Telegram rejects; str() is the reason after "can't parse entities: "."""


@dataclass
class _OpenTag:
    """A start tag waiting for its end tag."""

    name: str
    argument: str
    offset: int  # UTF-16 offset in the output text
    out_index: int  # index into the output character list
    expandable: bool = False


@dataclass
class _Parser:
    """State of one parse_html run over ``source``."""

    source: str
    strict: bool
    out: list[str] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    stack: list[_OpenTag] = field(default_factory=list)
    pos16: int = 0

    def byte_offset(self, index: int) -> int:
        """Return the UTF-8 byte offset of character ``index`` of the source."""
        return len(self.source[:index].encode("utf-8"))

    def fail(self, message: str) -> HtmlParseError:
        """Build a parse error."""
        return HtmlParseError(message)

    def emit(self, text: str) -> None:
        """Append plain text to the output."""
        for ch in text:
            self.out.append(ch)
            self.pos16 += char_width(ch)

    def run(self) -> tuple[str, list[Entity]]:
        """Parse the whole source."""
        src, i, n = self.source, 0, len(self.source)
        while i < n:
            ch = src[i]
            if ch == "&":
                decoded, end = decode_entity(src, i)
                if decoded is not None:
                    self.emit(decoded)
                    i = end
                    continue
                if self.strict:
                    raise self.fail(
                        f'Unescaped "&" at byte offset {self.byte_offset(i)}; '
                        'use "&amp;" for a literal ampersand'
                    )
            if ch != "<":
                self.emit(ch)
                i += 1
                continue
            i = self.end_tag(i) if i + 1 < n and src[i + 1] == "/" else self.start_tag(i)
        if self.stack:
            raise self.fail(f"Can't find end tag corresponding to start tag {self.stack[-1].name}")
        return "".join(self.out), sort_entities(self.entities)

    def start_tag(self, begin: int) -> int:
        """Parse ``<name attr=...>`` at ``begin``; return the index after it."""
        src, n = self.source, len(self.source)
        i = begin + 1
        while i < n and src[i] not in _SPACES and src[i] != ">":
            i += 1
        at = self.byte_offset(begin)
        if i >= n:
            raise self.fail(f"Unclosed start tag at byte offset {at}")
        name = src[begin + 1 : i].lower()
        if name not in SUPPORTED_TAGS:
            raise self.fail(f'Unsupported start tag "{name}" at byte offset {at}')
        argument, expandable = "", False
        while True:
            while i < n and src[i] in _SPACES:
                i += 1
            if i >= n:
                raise self.fail(f"Unclosed start tag at byte offset {at}")
            if src[i] == ">":
                break
            attr_begin = i
            while i < n and src[i] not in _SPACES and src[i] not in "=>":
                i += 1
            attr = src[attr_begin:i].lower()
            if not attr:
                raise self.fail(f'Empty attribute name in the tag "{name}" at byte offset {at}')
            while i < n and src[i] in _SPACES:
                i += 1
            if i < n and src[i] != "=" and name == "blockquote" and attr == "expandable":
                expandable = True
                continue
            if i >= n or src[i] != "=":
                raise self.fail(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset {at}'
                )
            i += 1
            while i < n and src[i] in _SPACES:
                i += 1
            if i >= n:
                raise self.fail(f'Unclosed start tag "{name}" at byte offset {at}')
            value, i = self.attribute_value(i)
            if i >= n:
                raise self.fail(f"Unclosed start tag at byte offset {at}")
            if name == "a" and attr == "href":
                argument = value
            elif name == "code" and attr == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif name == "span" and attr == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif name == "tg-emoji" and attr == "emoji-id":
                argument = value
        if name == "span" and argument != "spoiler":
            raise self.fail(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
        self.stack.append(_OpenTag(name, argument, self.pos16, len(self.out), expandable))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        """Parse a quoted string or a name token starting at ``i``."""
        src, n = self.source, len(self.source)
        if src[i] not in "'\"":
            begin = i
            while i < n and ((src[i].isascii() and src[i].isalnum()) or src[i] in ".-"):
                i += 1
            if i < n and src[i] not in _SPACES and src[i] != ">":
                raise self.fail(
                    f"Unexpected end of name token at byte offset {self.byte_offset(begin)}"
                )
            return src[begin:i].lower(), i
        quote = src[i]
        i += 1
        value: list[str] = []
        while i < n and src[i] != quote:
            if src[i] == "&":
                decoded, end = decode_entity(src, i)
                if decoded is not None:
                    value.append(decoded)
                    i = end
                    continue
            value.append(src[i])
            i += 1
        return "".join(value), i + 1 if i < n else i

    def end_tag(self, begin: int) -> int:
        """Parse ``</name>`` at ``begin``, emit the entity; return the index after it."""
        src, n = self.source, len(self.source)
        at = self.byte_offset(begin)
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {at}")
        i = begin + 2
        while i < n and src[i] not in _SPACES and src[i] != ">":
            i += 1
        end_name = src[begin + 2 : i].lower()
        while i < n and src[i] in _SPACES:
            i += 1
        if i >= n or src[i] != ">":
            raise self.fail(f"Unclosed end tag at byte offset {at}")
        top = self.stack[-1]
        if end_name and end_name != top.name:
            raise self.fail(
                f'Unmatched end tag at byte offset {at}, expected "</{top.name}>", '
                f'found "</{end_name}>"'
            )
        self.stack.pop()
        if self.pos16 > top.offset:
            self.close_entity(top)
        return i + 1

    def close_entity(self, tag: _OpenTag) -> None:
        """Turn a closed tag into an entity, following tdlib's rules."""
        offset, length = tag.offset, self.pos16 - tag.offset
        base: Entity = {"offset": offset, "length": length}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (offset, length)
        if tag.name in _SIMPLE_TAGS:
            self.entities.append({"type": _SIMPLE_TAGS[tag.name], **base})
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if tag.expandable else "blockquote"
            self.entities.append({"type": kind, **base})
        elif tag.name == "tg-emoji":
            if not tag.argument.isdigit() or int(tag.argument) == 0:
                raise self.fail("Invalid custom emoji identifier specified")
            self.entities.append({"type": "custom_emoji", **base, "custom_emoji_id": tag.argument})
        elif tag.name == "a":
            url = tag.argument or "".join(self.out[tag.out_index :])
            user = _USER_LINK_RE.match(url)
            if user:
                self.entities.append(
                    {"type": "text_mention", **base, "user": {"id": int(user.group(1))}}
                )
            elif checked := checked_link(url):
                self.entities.append({"type": "text_link", **base, "url": checked})
        elif tag.name == "pre":
            if last is not None and same_span and last["type"] == "code":
                language = last.pop("_language", "")
                last["type"] = "pre"
                if language:
                    last["language"] = language
            else:
                self.entities.append({"type": "pre", **base})
        elif tag.name == "code":
            if last is not None and same_span and last["type"] == "pre" and tag.argument:
                last["language"] = tag.argument
            else:
                code: Entity = {"type": "code", **base}
                if tag.argument:
                    code["_language"] = tag.argument
                self.entities.append(code)


def parse_html(source: str, *, strict: bool = True) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into (plain text, entities with UTF-16 offsets).

    With ``strict`` (the default) a bare ``&`` that starts no entity is an error; real
    Telegram keeps it literally, which ``strict=False`` reproduces.
    """
    text, entities = _Parser(source, strict).run()
    for entity in entities:
        entity.pop("_language", None)
    return text, entities
