"""Test support: raw HTTP access to the emulator and a small real PTB bot."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.emulator import BotApiEmulator

PtbApp = Application[Any, Any, Any, Any, Any, Any]


@dataclass
class RawApi:
    """Plain aiohttp access to the emulator, for asserting exact wire responses."""

    session: aiohttp.ClientSession
    url: str
    token: str

    async def call(
        self, method: str, *, token: str | None = None, form: bool = False, **params: Any
    ) -> tuple[int, dict[str, Any]]:
        """POST a method with JSON (or urlencoded ``form``) params; return (status, body)."""
        target = f"{self.url}/bot{token or self.token}/{method}"
        kwargs: dict[str, Any] = {"data": params} if form else {"json": params}
        async with self.session.post(target, **kwargs) as response:
            return response.status, await response.json()

    async def upload(
        self, method: str, files: dict[str, tuple[str, bytes, str]], **fields: Any
    ) -> tuple[int, dict[str, Any]]:
        """POST multipart/form-data with file parts (name -> (filename, bytes, mime))."""
        form = aiohttp.FormData()
        for key, value in fields.items():
            form.add_field(key, value if isinstance(value, str) else json.dumps(value))
        for key, (filename, data, mime) in files.items():
            form.add_field(key, data, filename=filename, content_type=mime)
        async with self.session.post(f"{self.url}/bot{self.token}/{method}", data=form) as response:
            return response.status, await response.json()


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet in HTML with an inline keyboard."""
    assert update.message is not None and update.effective_user is not None
    payload = " ".join(context.args or [])
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("بله", callback_data="a:yes"),
                InlineKeyboardButton("No", callback_data="a:no"),
            ],
            [InlineKeyboardButton("Docs", url="https://example.com/docs")],
        ]
    )
    await update.message.reply_html(
        f"<b>سلام</b> {update.effective_user.first_name}! <code>{payload}</code>",
        reply_markup=keyboard,
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the query and edit the message to show the choice."""
    query = update.callback_query
    assert query is not None
    await query.answer(f"got {query.data}")
    await query.edit_message_text(f"You chose <i>{query.data}</i>", parse_mode="HTML")


async def record_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Keep handler exceptions so tests can assert on them."""
    context.application.bot_data.setdefault("errors", []).append(context.error)


def build_application(emu: BotApiEmulator, url: str, *, polling: bool = False) -> PtbApp:
    """Build the real PTB application against the emulator, with the test handlers."""
    builder = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(f"{url}/bot")
        .base_file_url(f"{url}/file/bot")
    )
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_error_handler(record_error)
    return application
