"""The durable floor: the least any bot that keeps Pishran's promise can do per update.

For each update it commits one row to SQLite with Pishran's settings (WAL, synchronous=FULL,
one transaction per update) and only then replies with the same Bot API calls Pishran makes
for that step: a message for a typed message; answerCallbackQuery and editMessageText for a
button; and, for the press that completes the checklist, as many messages as Pishran sent
with its results (FLOOR_COMPLETION_MESSAGES, counted by bench/throughput.py in the same run).
Same library, polling loop, HTTP client and Bot API server as Pishran. Run by
bench/throughput.py as its own process.

With FLOOR_PAYLOADS (a JSON file bench/throughput.py writes from Pishran's own replies in the
same run), those calls carry what Pishran's carried: a question's HTML and buttons for every
step, and each results message as Pishran sent it. The updates that come back then carry them
too (a pressed button's message arrives with the update). That floor prices the bytes any bot
showing the same messages moves, and leaves only what Pishran does besides. By hand:

    BOT_TOKEN=... BOT_API_BASE_URL=... FLOOR_DATABASE=/tmp/floor.sqlite3 python -m bench.floor_bot
"""

from __future__ import annotations

import json
import os
import time
from functools import cache
from typing import Any

import aiosqlite
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.aiohttp_request import AiohttpRequest

DATABASE_KEY = "database"


async def _durable(context: ContextTypes.DEFAULT_TYPE, update: Update, data: str) -> None:
    """One row, committed (fsync'd) before any reply: what 'nothing acknowledged is lost' costs."""
    database: aiosqlite.Connection = context.bot_data[DATABASE_KEY]
    user = update.effective_user
    await database.execute(
        "INSERT INTO answer (user_id, data, at) VALUES (?, ?, ?)",
        (user.id if user else 0, data, time.time()),
    )
    await database.commit()


@cache
def _payloads() -> dict[str, Any] | None:
    """Pishran's replies to send instead of short ones: {"question": {...}, "results": [...]},
    each a sendMessage's text, parse_mode and reply_markup; None without FLOOR_PAYLOADS."""
    path = os.environ.get("FLOOR_PAYLOADS")
    if not path:
        return None
    with open(path, encoding="utf-8") as file:
        payloads: dict[str, Any] = json.load(file)
    return payloads


def _reply(payload: dict[str, Any], tail: str = "") -> dict[str, Any]:
    """The keyword arguments of a send or an edit that carries `payload`, its text ending in
    `tail` (an edit must change the message: the Bot API refuses one that does not)."""
    markup = payload.get("reply_markup")
    return {
        "text": payload["text"] + tail,
        "parse_mode": payload.get("parse_mode"),
        "reply_markup": InlineKeyboardMarkup.de_json(markup, None) if markup else None,
    }


async def message_received(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Commit the message, then answer it with one message."""
    message = update.effective_message
    assert message is not None
    await _durable(context, update, message.text or "")
    payloads = _payloads()
    if payloads is None:
        await message.chat.send_message(message.text or "?")
    else:
        await message.chat.send_message(**_reply(payloads["question"]))


async def button_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Commit the press, answer it, show the next step in place; the last one sends results."""
    query = update.callback_query
    assert query is not None and query.message is not None
    data = query.data or ""
    await _durable(context, update, data)
    await query.answer()
    payloads = _payloads()
    last = data.split(":")[2:3] == [os.environ.get("FLOOR_LAST_QUESTION", "")]
    if payloads is None:
        await query.edit_message_text(data)
        if last:
            for number in range(int(os.environ.get("FLOOR_COMPLETION_MESSAGES", "1"))):
                await query.message.chat.send_message(f"results {number + 1}")
        return
    if not last:
        await query.edit_message_text(**_reply(payloads["question"], f"\n{data}"))
        return
    first, *others = payloads["results"]  # Pishran edits its scores in, then sends the rest
    await query.edit_message_text(**_reply(first))
    for payload in others:
        await query.message.chat.send_message(**_reply(payload))


async def open_database(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Open the SQLite file with Pishran's durability settings."""
    database = await aiosqlite.connect(os.environ["FLOOR_DATABASE"])
    await database.execute("PRAGMA journal_mode=WAL")
    await database.execute("PRAGMA synchronous=FULL")
    await database.execute(
        "CREATE TABLE IF NOT EXISTS answer "
        "(id INTEGER PRIMARY KEY, user_id INTEGER, data TEXT, at REAL)"
    )
    await database.commit()
    application.bot_data[DATABASE_KEY] = database


async def close_database(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Close the SQLite connection."""
    await application.bot_data[DATABASE_KEY].close()


def main() -> None:
    """Poll until SIGTERM."""
    builder = (
        Application.builder()
        .token(os.environ["BOT_TOKEN"])
        .base_url(os.environ["BOT_API_BASE_URL"])
        .concurrent_updates(int(os.environ.get("UPDATE_CONCURRENCY", "1")))
        .post_init(open_database)
        .post_shutdown(close_database)
    )
    if os.environ.get("BOT_API_CLIENT") == "aiohttp":
        builder = builder.request(AiohttpRequest()).get_updates_request(
            AiohttpRequest(connection_pool_size=1)
        )
    application = builder.build()
    application.add_handler(MessageHandler(filters.ALL, message_received))
    application.add_handler(CallbackQueryHandler(button_pressed))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
