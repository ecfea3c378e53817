"""HTTP handlers of the playground: the chat page and the JSON API it calls."""

from __future__ import annotations

import json
import logging
from typing import Any, cast
from urllib.parse import quote

import jinja2
from aiohttp import web

from bot.emulator import EmulatedUser, utf16_len
from bot.playground.chat import ChatLog, Playground
from handlers.i18n import LOCALES, Renderer
from knowledge import Locale

__all__ = [
    "LOCALE_COOKIE",
    "MAX_BODY_BYTES",
    "MAX_TEXT_LENGTH",
    "PLAYGROUND_KEY",
    "RENDERER_KEY",
    "TEMPLATES_KEY",
    "USER_COOKIE",
    "setup_routes",
]

log = logging.getLogger(__name__)

PLAYGROUND_KEY = web.AppKey("playground", Playground)
RENDERER_KEY = web.AppKey("renderer", Renderer)
TEMPLATES_KEY = web.AppKey("templates", jinja2.Environment)
USER_COOKIE = "pishran_playground_user"
LOCALE_COOKIE = "pishran_playground_locale"
MAX_TEXT_LENGTH = 4096  # Telegram's limit, in UTF-16 code units
MAX_BODY_BYTES = 64 * 1024
_COOKIE_AGE = 30 * 24 * 3600
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class BadInput(Exception):
    """A request the API refuses, with a code the page translates and a detail for developers."""

    def __init__(self, code: str, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.code, self.detail, self.status = code, detail, status


def _error(code: str, detail: str, status: int) -> web.Response:
    return web.json_response({"error": code, "detail": detail}, status=status)


@web.middleware
async def json_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Answer every refused API request with a JSON error body and security headers."""
    try:
        response = cast(web.StreamResponse, await handler(request))
    except BadInput as refused:
        response = _error(refused.code, refused.detail, refused.status)
    except web.HTTPException as http_error:
        if not request.path.startswith("/api/"):
            raise
        response = _error("http_error", http_error.reason, http_error.status)
    for name, value in _PAGE_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _locale(value: object) -> Locale | None:
    """`value` when it names a locale the bot speaks."""
    for locale in LOCALES:
        if value == locale:
            return locale
    return None


def _chat_log(request: web.Request) -> ChatLog | None:
    raw = request.cookies.get(USER_COOKIE, "")
    return request.app[PLAYGROUND_KEY].log(int(raw) if raw.isdecimal() and len(raw) < 19 else None)


def _chatting(request: web.Request) -> bool:
    """Whether the cookie names a simulated user this playground knows."""
    return _chat_log(request) is not None


def _current(request: web.Request) -> tuple[EmulatedUser, ChatLog]:
    """The simulated user named by the cookie, or a 401 the page answers with its start panel."""
    chat = _chat_log(request)
    if chat is None:
        raise BadInput("no_user", "start as a new user first (POST /api/user)", 401)
    return chat.user, chat


async def _json_object(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object of at most MAX_BODY_BYTES."""
    if request.content_type != "application/json":
        raise BadInput("not_json", "send Content-Type: application/json", 415)
    body = bytearray()
    while len(body) <= MAX_BODY_BYTES:  # read() may return any part of the body
        chunk = await request.content.read(MAX_BODY_BYTES + 1 - len(body))
        if not chunk:
            break
        body += chunk
    if len(body) > MAX_BODY_BYTES:
        raise BadInput("too_large", f"the body is over {MAX_BODY_BYTES} bytes", 413)
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise BadInput("not_json", "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadInput("not_json", "the body must be a JSON object")
    return data


async def page(request: web.Request) -> web.Response:
    """The chat page, in the language asked for (?lang=), remembered, or the default."""
    playground, renderer = request.app[PLAYGROUND_KEY], request.app[RENDERER_KEY]
    asked = _locale(request.query.get("lang"))
    locale = asked or _locale(request.cookies.get(LOCALE_COOKIE)) or playground.default_locale
    strings = {
        key: renderer.text(locale, "playground", key)
        for key in renderer.catalogs[locale]["playground"]
    }
    errors = {
        key: renderer.text(locale, "playground_error", key)
        for key in renderer.catalogs[locale]["playground_error"]
    }
    languages = [{"code": code, "name": renderer.text(code, "language_name")} for code in LOCALES]
    html = (
        request.app[TEMPLATES_KEY]
        .get_template("playground.html")
        .render(
            locale=locale,
            direction="rtl" if locale == "fa" else "ltr",
            ui=strings,
            languages=languages,
            script_data={"ui": strings, "errors": errors, "chatting": _chatting(request)},
        )
    )
    response = web.Response(text=html, content_type="text/html")
    if asked:
        response.set_cookie(LOCALE_COOKIE, asked, max_age=_COOKIE_AGE, samesite="Lax")
    return response


async def create_user(request: web.Request) -> web.Response:
    """Start over as a new simulated user who speaks {"language": "fa" | "en"}."""
    data = await _json_object(request)
    locale = _locale(data.get("language"))
    if locale is None:
        raise BadInput("bad_language", f"language must be one of {list(LOCALES)}")
    renderer = request.app[RENDERER_KEY]
    name = renderer.text(locale, "playground", "user_name")
    user = request.app[PLAYGROUND_KEY].new_user(locale=locale, first_name=name)
    log.info("playground: new user %s (%s)", user.id, locale)
    response = web.json_response({"user": {"id": user.id, "language": locale}})
    cookie = {"max_age": _COOKIE_AGE, "httponly": True, "samesite": "Lax"}
    response.set_cookie(USER_COOKIE, str(user.id), **cookie)  # type: ignore[arg-type]
    response.set_cookie(LOCALE_COOKIE, locale, max_age=_COOKIE_AGE, samesite="Lax")
    return response


async def send_text(request: web.Request) -> web.Response:
    """Send {"text": ...} to the bot as the simulated user."""
    user, _ = _current(request)
    text = (await _json_object(request)).get("text")
    if not isinstance(text, str):
        raise BadInput("bad_text", "text must be a string")
    if not text.strip():
        raise BadInput("empty_text", "text is empty")
    if utf16_len(text) > MAX_TEXT_LENGTH:
        raise BadInput("text_too_long", f"text is over {MAX_TEXT_LENGTH} UTF-16 code units")
    try:
        update = await user.send(text)
    except ValueError as refused:  # what Telegram's clients would not send either
        raise BadInput("empty_text", str(refused)) from None
    return web.json_response({"message_id": update["message"]["message_id"]})


async def press_button(request: web.Request) -> web.Response:
    """Press the inline button {"message_id": n, "data": callback data} of a bot message."""
    user, _ = _current(request)
    data = await _json_object(request)
    message_id, callback_data = data.get("message_id"), data.get("data")
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise BadInput("bad_button", "message_id must be an integer")
    if not isinstance(callback_data, str):
        raise BadInput("bad_button", "data must be a string")
    message = user.message(message_id)
    if message is None or not message.from_bot:
        raise BadInput("no_message", f"no bot message {message_id} in this chat")
    pressable = {b.get("callback_data") for row in message.inline_keyboard for b in row}
    if callback_data not in pressable:
        raise BadInput("bad_button", f"message {message_id} has no button with that data")
    await user.press_data(callback_data, message_id)
    return web.json_response({"pressed": True})


async def messages(request: web.Request) -> web.Response:
    """What changed in the chat after ?after=<cursor> (0: everything), and the next cursor."""
    user, chat = _current(request)
    after = request.query.get("after", "0")
    if not after.isdecimal() or len(after) > 18:
        raise BadInput("bad_cursor", "after must be a non-negative integer")
    changes = chat.changes(int(after))
    language = user.language_code or ""
    commands = request.app[PLAYGROUND_KEY].emulator.get_commands(language_code=language)
    user_view = {"id": user.id, "language": language, "commands": commands}
    return web.json_response({"user": user_view, **changes})


async def media(request: web.Request) -> web.Response:
    """The photo or document of a message in the user's own chat."""
    user, _ = _current(request)
    raw = request.match_info["message_id"]
    message = user.message(int(raw)) if raw.isdecimal() and len(raw) < 10 else None
    if message is None or message.file is None:
        raise BadInput("no_media", "no photo or document in that message", 404)
    stored = message.file
    headers = {"Cache-Control": "private, max-age=3600"}
    # Telegram turns every photo into an image; here the bytes decide, never the upload's name.
    image = _image_type(stored.data) if message.photo is not None else None
    disposition = "inline" if image else "attachment"
    headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(stored.filename)}"
    content_type = image or stored.mime_type
    return web.Response(body=stored.data, content_type=content_type, headers=headers)


def _image_type(data: bytes) -> str | None:
    """The MIME type of a PNG, JPEG, GIF or WebP image, from its first bytes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def setup_routes(app: web.Application) -> None:
    """Attach the page, the JSON API and the page's static files."""
    app.router.add_get("/", page, name="playground")
    app.router.add_post("/api/user", create_user, name="playground_user")
    app.router.add_post("/api/send", send_text, name="playground_send")
    app.router.add_post("/api/press", press_button, name="playground_press")
    app.router.add_get("/api/messages", messages, name="playground_messages")
    app.router.add_get("/api/media/{message_id}", media, name="playground_media")
