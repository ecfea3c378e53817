"""Messages to send: Telegram HTML with an optional keyboard, split under the length limit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

__all__ = [
    "MESSAGE_LIMIT",
    "UNREAD_METHODS",
    "Reply",
    "answer_unread",
    "answers_unread",
    "split_message",
]

MESSAGE_LIMIT = 4096

# The Bot API answers a sent or edited message with the whole message (its text, entities
# and keyboard), which python-telegram-bot builds into a Message. Inside `answers_unread()`,
# the bot's HTTP client (bot/aiohttp_request.py) hands these methods' successful answers back
# as a plain `true`, so nothing is built that nobody reads. Errors are answered as they come.
UNREAD_METHODS = frozenset({"sendMessage", "editMessageText"})
_answers_unread: ContextVar[bool] = ContextVar("pishran_answers_unread", default=False)


@contextmanager
def answers_unread() -> Iterator[None]:
    """Within this block the caller reads no Message that sendMessage or editMessageText
    return: they return True instead (the calls themselves are made as before)."""
    token = _answers_unread.set(True)
    try:
        yield
    finally:
        _answers_unread.reset(token)


def answer_unread(method: str) -> bool:
    """Whether the successful answer to Bot API `method` is to be dropped unread here."""
    return method in UNREAD_METHODS and _answers_unread.get()


@dataclass(frozen=True)
class Reply:
    """One message to send: Telegram HTML and an optional inline keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split on paragraph boundaries (then lines) so that each part fits in one message."""
    parts: list[str] = []
    current = ""
    for paragraph in _pieces(text, limit):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
        else:
            parts.append(current)
            current = paragraph
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, limit: int) -> Iterable[str]:
    for paragraph in text.split("\n\n"):
        if len(paragraph) <= limit:
            yield paragraph
            continue
        line_block = ""
        for line in paragraph.split("\n"):
            if len(line) > limit and line_block:  # what came before goes out first
                yield line_block
                line_block = ""
            while len(line) > limit:  # a single line longer than a message: cut it hard
                yield line[:limit]
                line = line[limit:]
            candidate = f"{line_block}\n{line}" if line_block else line
            if len(candidate) > limit:
                yield line_block
                candidate = line
            line_block = candidate
        if line_block:
            yield line_block
