"""Validation of reply_markup objects with Telegram's error descriptions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bot.emulator.errors import bad_request

MAX_CALLBACK_DATA_BYTES = 64
INLINE_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def validate_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Check a decoded reply_markup and return it without null fields (None if absent)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return {"inline_keyboard": _inline_keyboard(markup["inline_keyboard"])}
    if "keyboard" in markup:
        return _reply_keyboard(markup)
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return {key: value for key, value in markup.items() if value is not None}
    raise bad_request("can't parse reply keyboard markup JSON object")


def _inline_keyboard(rows: Any) -> list[list[dict[str, Any]]]:
    """Validate the rows of an InlineKeyboardMarkup."""
    if not isinstance(rows, list):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    result = []
    for row in rows:
        if not isinstance(row, list):
            raise bad_request("can't parse inline keyboard button row: must be an Array")
        result.append([_inline_button(button) for button in row])
    return result


def _inline_button(button: Any) -> dict[str, Any]:
    """Validate one InlineKeyboardButton."""
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    cleaned = {key: value for key, value in button.items() if value is not None}
    text = cleaned.get("text")
    if not isinstance(text, str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [name for name in INLINE_BUTTON_ACTIONS if name in cleaned]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    if "callback_data" in cleaned:
        data = cleaned["callback_data"]
        if (
            not isinstance(data, str)
            or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
        ):
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in cleaned:
        url = cleaned["url"]
        if not isinstance(url, str) or not _valid_button_url(url):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return cleaned


def _valid_button_url(url: str) -> bool:
    """Tell whether a URL is acceptable for a url button."""
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https"):
        return bool(parts.hostname) and " " not in url
    return parts.scheme.lower() in ("tg", "ton") and len(url) > len(parts.scheme) + 1


def _reply_keyboard(markup: dict[str, Any]) -> dict[str, Any]:
    """Validate a ReplyKeyboardMarkup."""
    rows = markup["keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
    for row in rows:
        for button in row:
            text = button.get("text") if isinstance(button, dict) else button
            if not isinstance(text, str) or not text:
                raise bad_request("can't parse keyboard button: Text must be non-empty")
    return {key: value for key, value in markup.items() if value is not None}


def reply_keyboard_texts(markup: dict[str, Any]) -> list[list[str]]:
    """Return the button texts of a validated ReplyKeyboardMarkup."""
    return [
        [button["text"] if isinstance(button, dict) else button for button in row]
        for row in markup.get("keyboard", [])
    ]
