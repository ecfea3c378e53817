"""The playground: try the real bot in a browser, against the built-in Bot API emulator."""

from bot.playground.chat import ChatLog, Playground, message_view
from bot.playground.server import (
    EMULATOR_PREFIX,
    PLAYGROUND_BOT_USERNAME,
    PlaygroundBot,
    RunningPlayground,
    build_playground_app,
    serve_playground,
    start_playground,
    start_playground_bot,
)
from bot.playground.views import MAX_TEXT_LENGTH, USER_COOKIE

__all__ = [
    "EMULATOR_PREFIX",
    "MAX_TEXT_LENGTH",
    "PLAYGROUND_BOT_USERNAME",
    "USER_COOKIE",
    "ChatLog",
    "Playground",
    "PlaygroundBot",
    "RunningPlayground",
    "build_playground_app",
    "message_view",
    "serve_playground",
    "start_playground",
    "start_playground_bot",
]
