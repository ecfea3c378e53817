"""Reading Bot API parameters from JSON, urlencoded and multipart requests."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.emulator.errors import bad_request
from bot.emulator.models import UploadedFile

# Parameters whose values are JSON objects/arrays; form requests send them JSON-encoded.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "reply_parameters",
        "link_preview_options",
        "allowed_updates",
        "commands",
        "scope",
        "media",
        "menu_button",
    }
)
INT_FIELDS = frozenset(
    {"message_id", "offset", "limit", "reply_to_message_id", "max_connections", "cache_time"}
)
FLOAT_FIELDS = frozenset({"timeout"})
BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
    }
)
_JSON_ERRORS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse caption entities JSON object",
    "reply_parameters": "can't parse reply parameters JSON object",
}


async def read_params(request: web.Request) -> dict[str, Any]:
    """Collect query, JSON, urlencoded and multipart parameters into one dict of raw values."""
    raw: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return raw
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise bad_request("can't parse JSON request body") from exc
        if not isinstance(body, dict):
            raise bad_request("JSON request body must be an object")
        raw.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                raw[key] = UploadedFile(
                    filename=value.filename or key,
                    content_type=value.content_type or "application/octet-stream",
                    data=value.file.read(),
                )
            else:
                raw[key] = value
    return raw


def _to_bool(value: str) -> bool | str:
    """Parse Telegram's accepted boolean spellings, leaving anything else as is."""
    lowered = value.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0", ""):
        return False
    return value


def decode_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Turn string form values into ints, bools and JSON objects by parameter name."""
    decoded: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            value = _decode_string(key, value)
        decoded[key] = value
    return decoded


def _decode_string(key: str, value: str) -> Any:
    """Decode one string parameter according to its name."""
    if key in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if key in INT_FIELDS or key == "chat_id":
        try:
            return int(value)
        except ValueError:
            return value
    if key in FLOAT_FIELDS:
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    if key in BOOL_FIELDS:
        return _to_bool(value)
    return value


class Params:
    """Typed read access to one call's decoded parameters, raising Bot API errors."""

    def __init__(self, values: dict[str, Any]) -> None:
        """Wrap the decoded parameter dict."""
        self.values = values

    def has(self, name: str) -> bool:
        """Tell whether the parameter was sent and is not null."""
        return self.values.get(name) is not None

    def get_str(self, name: str) -> str | None:
        """Return a string parameter (numbers are stringified)."""
        value = self.values.get(name)
        if value is None or isinstance(value, UploadedFile):
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else str(value)

    def get_int(self, name: str, *, error: str | None = None) -> int | None:
        """Return an integer parameter; a non-integer raises ``error`` (or a generic one)."""
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise bad_request(error or f'field "{name}" must be of type Integer')
        try:
            return int(value)
        except ValueError as exc:
            raise bad_request(error or f'field "{name}" must be of type Integer') from exc

    def get_number(self, name: str) -> float | None:
        """Return a numeric parameter."""
        value = self.values.get(name)
        if value is None:
            return None
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise bad_request(f'field "{name}" must be a Number') from exc

    def get_bool(self, name: str) -> bool:
        """Return a boolean parameter (absent means False)."""
        value = self.values.get(name)
        if isinstance(value, str):
            value = _to_bool(value)
        return value is True or (isinstance(value, int) and value == 1)

    def get_json(self, name: str) -> Any:
        """Return a JSON-object parameter; an undecodable string raises Telegram's error."""
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise bad_request(
                    _JSON_ERRORS.get(name, f"can't parse {name} JSON object")
                ) from exc
        return value

    def get_file(self, name: str) -> UploadedFile | str | None:
        """Return an uploaded file, resolving ``attach://name``, or a file_id/URL string."""
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.values.get(value[len("attach://") :])
        if isinstance(value, UploadedFile | str):
            return value
        return None
