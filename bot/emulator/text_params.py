"""The text and caption parameters: parse_mode or entities, Telegram's clean-up and limits."""

from __future__ import annotations

from bot.emulator.entities import (
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    Entity,
    clean_entity,
    utf16_len,
)
from bot.emulator.errors import bad_request
from bot.emulator.formatted_text import fix_formatted_text
from bot.emulator.html import HtmlParseError, parse_html
from bot.emulator.params import Params
from bot.emulator.state import EmulatorState


def text_param(state: EmulatorState, p: Params) -> tuple[str, list[Entity]]:
    """Parse the ``text`` parameter of sendMessage/editMessageText."""
    return _formatted(
        state,
        p,
        "text",
        "entities",
        limit=MAX_TEXT_LENGTH,
        too_long="message is too long",
        empty="message text is empty",
    )


def caption_param(state: EmulatorState, p: Params) -> tuple[str, list[Entity]]:
    """Parse the optional ``caption`` parameter."""
    return _formatted(
        state,
        p,
        "caption",
        "caption_entities",
        limit=MAX_CAPTION_LENGTH,
        too_long="message caption is too long",
        empty=None,
    )


def _formatted(
    state: EmulatorState,
    p: Params,
    field: str,
    entities_field: str,
    *,
    limit: int,
    too_long: str,
    empty: str | None,
) -> tuple[str, list[Entity]]:
    """Parse a text/caption with parse_mode or entities and apply Telegram's checks."""
    raw = p.get_str(field) or ""
    parse_mode = p.get_str("parse_mode")
    raw_entities = p.get_json(entities_field)
    entities: list[Entity] = []
    if raw_entities:
        if not isinstance(raw_entities, list):
            raise bad_request(f"can't parse {entities_field.replace('_', ' ')} JSON object")
        entities = [e for e in map(clean_entity, raw_entities) if e is not None]
        text = raw
    elif parse_mode:
        mode = parse_mode.lower()
        if mode == "html":
            try:
                text, entities = parse_html(raw, strict=state.strict_html)
            except HtmlParseError as exc:
                raise bad_request(f"can't parse entities: {exc}") from exc
        elif mode in ("markdown", "markdownv2"):
            raise bad_request("can't parse entities: unsupported parse mode in emulator")
        else:
            raise bad_request("unsupported parse_mode")
    else:
        text = raw
    text, entities = fix_formatted_text(text, entities, detect=state.detect_entities)
    if not text and empty is not None:
        raise bad_request(empty)
    if utf16_len(text) > limit:
        raise bad_request(too_long)
    return text, [_resolve_mention(state, e) for e in entities]


def _resolve_mention(state: EmulatorState, entity: Entity) -> Entity:
    """Fill a text_mention's user from the emulator (unknown users become tg:// links)."""
    if entity["type"] != "text_mention":
        return entity
    user_id = entity["user"].get("id")
    user = state.users.get(user_id) if isinstance(user_id, int) else None
    if user is None:
        return {
            "type": "text_link",
            "offset": entity["offset"],
            "length": entity["length"],
            "url": f"tg://user?id={user_id}",
        }
    return {**entity, "user": user.to_user_dict()}
