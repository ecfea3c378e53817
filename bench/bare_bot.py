"""The baseline: a bare python-telegram-bot bot that answers every update with one message.

Same library, same polling loop, same HTTP client (BOT_API_CLIENT) and same Bot API server as
Pishran, and nothing else: no database, no templates, no rate limiter. Run by
bench/throughput.py as its own process:

    BOT_TOKEN=... BOT_API_BASE_URL=http://127.0.0.1:PORT/bot python -m bench.bare_bot
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.aiohttp_request import AiohttpRequest


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo a message's text, or a button's data, in one sendMessage."""
    chat = update.effective_chat
    assert chat is not None
    message = update.effective_message
    query = update.callback_query
    text = query.data if query is not None else message.text if message is not None else None
    await context.bot.send_message(chat.id, text or "?")


def main() -> None:
    """Poll until SIGTERM."""
    builder = (
        Application.builder()
        .token(os.environ["BOT_TOKEN"])
        .base_url(os.environ["BOT_API_BASE_URL"])
        .concurrent_updates(int(os.environ.get("UPDATE_CONCURRENCY", "1")))
    )
    if os.environ.get("BOT_API_CLIENT") == "aiohttp":
        builder = builder.request(AiohttpRequest()).get_updates_request(
            AiohttpRequest(connection_pool_size=1)
        )
    application = builder.build()
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.add_handler(CallbackQueryHandler(echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
