"""A Telegram Bot API emulator over real HTTP, for end-to-end tests and the playground.

Usage::

    emu = BotApiEmulator(bot_username="pishran_test_bot")
    server = await aiohttp_server(emu.build_app())          # or web.AppRunner on 127.0.0.1:0
    url = str(server.make_url("")).rstrip("/")
    app = (ApplicationBuilder().token(emu.token)
           .base_url(f"{url}/bot").base_file_url(f"{url}/file/bot").build())
    user = emu.user(1001, first_name="Sara", language_code="fa")
    await user.send("/start")      # queued for getUpdates / webhook, or given to emu.deliver
    await emu.wait_idle()          # with a polling bot: wait until it has replied
    assert user.last_bot_message.text == "..."
    await user.press("Yes")

Validation and error descriptions follow Telegram (tdlib's HTML parser, UTF-16 lengths,
inline keyboard rules); ``emu.inject_fault`` makes calls fail with 429/5xx, stall or drop.

Modules, lowest first (each imports only those above it; nothing outside this package):
entities, detection, formatted_text, html, html_render (text and entities); errors,
models, files, faults, keyboards, params, updates, activity (records and queues); users
(EmulatedUser, which needs only the ChatHost protocol); state (the EmulatorState protocol);
text_params, messaging, methods, server (the Bot API over HTTP, against EmulatorState);
core (BotApiEmulator, which implements both protocols). tests/bot/emulator/test_imports.py
keeps it so.
"""

from bot.emulator.core import DEFAULT_TOKEN, BotApiEmulator
from bot.emulator.entities import utf16_len
from bot.emulator.errors import ApiError
from bot.emulator.faults import Fault, FaultInjector
from bot.emulator.formatted_text import fix_formatted_text
from bot.emulator.html import HtmlParseError, parse_html
from bot.emulator.html_render import render_html
from bot.emulator.models import ApiCall, CallbackAnswer, ChatMessage, DocumentInfo, StoredFile
from bot.emulator.users import EmulatedUser

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "CallbackAnswer",
    "ChatMessage",
    "DocumentInfo",
    "EmulatedUser",
    "Fault",
    "FaultInjector",
    "HtmlParseError",
    "StoredFile",
    "fix_formatted_text",
    "parse_html",
    "render_html",
    "utf16_len",
]
