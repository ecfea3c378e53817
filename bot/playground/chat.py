"""The playground's view of emulated chats: who is at the page, and what changed since when."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from bot.emulator import BotApiEmulator, CallbackAnswer, ChatMessage, EmulatedUser
from knowledge import Locale

__all__ = ["ChatLog", "Playground", "message_view"]

# Ids from a range Telegram does not hand out to people, and that fits every database column.
_FIRST_USER_ID, _USER_ID_SPAN = 900_000_000, 99_999_999


def _buttons(message: ChatMessage) -> list[list[dict[str, str]]]:
    """The inline keyboard as rows of {text, data} (callback) or {text, url} buttons."""
    rows = []
    for row in message.inline_keyboard:
        shown = []
        for button in row:
            if "callback_data" in button:
                shown.append({"text": button["text"], "data": button["callback_data"]})
            elif "url" in button:
                shown.append({"text": button["text"], "url": button["url"]})
            else:  # login, web app, inline switch: shown, not pressable here
                shown.append({"text": button["text"]})
        rows.append(shown)
    return rows


def message_view(message: ChatMessage) -> dict[str, Any]:
    """One message as the page draws it: plain text plus entities, never HTML."""
    view: dict[str, Any] = {
        "id": message.message_id,
        "from_bot": message.from_bot,
        "date": message.date,
        "edited": message.edit_count > 0,
        "deleted": message.deleted,
        "text": message.text,
        "entities": message.entities,
        "caption": message.caption,
        "caption_entities": message.caption_entities,
        "buttons": _buttons(message),
        "photo": None,
        "document": None,
    }
    if message.file is not None:
        media = {"url": f"/api/media/{message.message_id}", "size": len(message.file.data)}
        if message.photo is not None:
            view["photo"] = {**media, "width": message.file.width, "height": message.file.height}
        else:
            view["document"] = {**media, "name": message.file.filename}
    return view


@dataclass
class ChatLog:
    """Numbers every change in one chat, so that a page asks only for what is new."""

    user: EmulatedUser
    cursor: int = 0
    _versions: dict[int, tuple[int, int, bool]] = field(default_factory=dict)
    _notices: list[tuple[int, CallbackAnswer]] = field(default_factory=list)

    def _refresh(self) -> None:
        """Give the next number to each message that is new, edited or deleted since last time."""
        for message in self.user.all_messages:
            state = (message.edit_count, message.deleted)
            known = self._versions.get(message.message_id)
            if known is None or known[1:] != state:
                self.cursor += 1
                self._versions[message.message_id] = (self.cursor, *state)
        for answer in self.user.callback_answers[len(self._notices) :]:
            self.cursor += 1
            self._notices.append((self.cursor, answer))

    def changes(self, after: int) -> dict[str, Any]:
        """The messages and button notices changed after `after`, and the cursor to ask next."""
        self._refresh()
        if after > self.cursor:  # a page from before a restart: send everything again
            after = 0
        messages = [
            message_view(message)
            for message in self.user.all_messages
            if self._versions[message.message_id][0] > after
            and not (message.deleted and after == 0)
        ]
        # A page that starts from nothing (a reload) gets the history, not old alerts again.
        notices = [
            {"text": answer.text, "alert": answer.show_alert}
            for number, answer in self._notices
            if after > 0 and number > after and answer.text
        ]
        return {"cursor": self.cursor, "messages": messages, "notices": notices}


class Playground:
    """The emulated Telegram users of one playground and their chat logs."""

    def __init__(self, emulator: BotApiEmulator, *, default_locale: Locale) -> None:
        """Serve the chats of `emulator`; pages without a chosen language use `default_locale`."""
        self.emulator = emulator
        self.default_locale: Locale = default_locale
        self._logs: dict[int, ChatLog] = {}

    def new_user(self, *, locale: Locale, first_name: str) -> EmulatedUser:
        """A user nobody has been before, whose Telegram app speaks `locale`."""
        while True:
            user_id = _FIRST_USER_ID + secrets.randbelow(_USER_ID_SPAN)
            if user_id not in self.emulator.users:
                break
        user = self.emulator.user(user_id, first_name=first_name, language_code=locale)
        self._logs[user_id] = ChatLog(user)
        return user

    def log(self, user_id: int | None) -> ChatLog | None:
        """The chat log of a user this playground created, if any."""
        return None if user_id is None else self._logs.get(user_id)
