"""Emulated Telegram users: each one owns a private chat with the bot."""

from __future__ import annotations

import secrets
import time
from typing import Any, Protocol

from bot.emulator.entities import MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, Entity
from bot.emulator.entities import utf16_len as _utf16_len
from bot.emulator.files import FileStore
from bot.emulator.formatted_text import fix_formatted_text
from bot.emulator.models import CallbackAnswer, ChatMessage, DocumentInfo, StoredFile

Update = dict[str, Any]


class ChatHost(Protocol):
    """What a user's chat needs of the emulator: the bot, the file store, the update stream."""

    files: FileStore

    @property
    def bot_user(self) -> dict[str, Any]:
        """Return the bot as a Bot API User object."""
        ...

    async def publish(self, body: dict[str, Any]) -> Update:
        """Give an update the next id and hand it to the bot."""
        ...

    def new_callback_query(self, user: EmulatedUser) -> str:
        """Register a callback query awaiting an answer; return its id."""
        ...


class EmulatedUser:
    """A user in a private chat with the bot; chat id == user id."""

    def __init__(
        self,
        emulator: ChatHost,
        user_id: int,
        *,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        is_premium: bool = False,
    ) -> None:
        """Create the user and their (empty) chat."""
        self._emulator = emulator
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.is_premium = is_premium
        self.blocked = False
        self.started = False  # True once the user has written to the bot
        self.chat_instance = str(secrets.randbits(62))
        self.callback_answers: list[CallbackAnswer] = []
        self.chat_actions: list[str] = []
        self.reply_keyboard: list[list[str]] | None = None
        self._messages: list[ChatMessage] = []
        self._next_message_id = 1

    def __repr__(self) -> str:
        """Show who this is."""
        return f"EmulatedUser(id={self.id}, first_name={self.first_name!r})"

    # ------------------------------------------------------------------ identity

    def to_user_dict(self) -> dict[str, Any]:
        """Return the Bot API User object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                user[key] = getattr(self, key)
        if self.is_premium:
            user["is_premium"] = True
        return user

    def to_chat_dict(self) -> dict[str, Any]:
        """Return the Bot API Chat object of the private chat."""
        chat: dict[str, Any] = {"id": self.id, "first_name": self.first_name}
        if self.last_name is not None:
            chat["last_name"] = self.last_name
        if self.username is not None:
            chat["username"] = self.username
        chat["type"] = "private"
        return chat

    # ------------------------------------------------------------------ chat contents

    @property
    def messages(self) -> list[ChatMessage]:
        """Return every non-deleted message of the chat, in order."""
        return [m for m in self._messages if not m.deleted]

    @property
    def all_messages(self) -> list[ChatMessage]:
        """Return every message including deleted ones."""
        return list(self._messages)

    @property
    def bot_messages(self) -> list[ChatMessage]:
        """Return the bot's non-deleted messages, in order."""
        return [m for m in self.messages if m.from_bot]

    @property
    def last_bot_message(self) -> ChatMessage:
        """Return the newest bot message, or fail the test with a clear message."""
        bot_messages = self.bot_messages
        if not bot_messages:
            raise AssertionError(
                f"the bot has sent no message to user {self.id}; chat holds "
                f"{len(self.messages)} user message(s)"
            )
        return bot_messages[-1]

    def message(self, message_id: int, *, include_deleted: bool = False) -> ChatMessage | None:
        """Return the message with this id, if present."""
        for message in self._messages:
            if message.message_id == message_id and (include_deleted or not message.deleted):
                return message
        return None

    def add_message(self, *, from_bot: bool, **fields: Any) -> ChatMessage:
        """Append a new message to the chat with the next message_id and the current date."""
        message = ChatMessage(
            message_id=self._next_message_id,
            chat_id=self.id,
            from_bot=from_bot,
            date=int(time.time()),
            **fields,
        )
        self._next_message_id += 1
        self._messages.append(message)
        return message

    def message_to_api(self, message: ChatMessage, *, with_reply: bool = True) -> dict[str, Any]:
        """Return the Bot API Message object for a message of this chat."""
        sender = self._emulator.bot_user if message.from_bot else self.to_user_dict()
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "from": sender,
            "chat": self.to_chat_dict(),
            "date": message.date,
        }
        if message.edit_date is not None:
            result["edit_date"] = message.edit_date
        if message.protect_content:
            result["has_protected_content"] = True
        if message.reply_to_message_id is not None and with_reply:
            target = self.message(message.reply_to_message_id, include_deleted=True)
            if target is not None and not target.deleted:
                result["reply_to_message"] = self.message_to_api(target, with_reply=False)
        if message.text is not None:
            result["text"] = message.text
            if message.entities:
                result["entities"] = message.entities
        if message.file is not None:
            if message.file.kind == "photo":
                result["photo"] = [message.file.to_api()]
            else:
                result["document"] = message.file.to_api()
        if message.caption:
            result["caption"] = message.caption
            if message.caption_entities:
                result["caption_entities"] = message.caption_entities
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            result["reply_markup"] = message.reply_markup
        return result

    # ------------------------------------------------------------------ blocking

    def block(self) -> None:
        """Mark the bot as blocked by this user: sends now fail with 403."""
        self.blocked = True

    def unblock(self) -> None:
        """Undo block()."""
        self.blocked = False

    # ------------------------------------------------------------------ acting

    async def send(
        self,
        text: str,
        *,
        entities: list[Entity] | None = None,
        reply_to: int | ChatMessage | None = None,
    ) -> Update:
        """Send a text message to the bot; return the delivered update."""
        clean, found = fix_formatted_text(text, entities or [])
        if not clean:
            raise ValueError("message text is empty")
        if _utf16_len(clean) > MAX_TEXT_LENGTH:
            raise ValueError("message is too long")
        message = self._user_message(text=clean, html=text, entities=found, reply_to=reply_to)
        return await self._emulator.publish({"message": self.message_to_api(message)})

    async def send_document(
        self,
        content: bytes,
        *,
        filename: str,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> Update:
        """Send a document (e.g. a file to import) to the bot; return the delivered update."""
        stored = self._emulator.files.store("document", content, filename, mime_type)
        document = DocumentInfo(stored.filename, stored.mime_type, content)
        return await self._send_file(stored, caption, document=document)

    async def send_photo(self, content: bytes, *, caption: str | None = None) -> Update:
        """Send a photo to the bot; return the delivered update."""
        stored = self._emulator.files.store("photo", content, "photo.jpg", "image/jpeg")
        return await self._send_file(stored, caption, photo=content)

    async def _send_file(self, stored: StoredFile, caption: str | None, **media: Any) -> Update:
        """Post a media message with an optional caption."""
        clean, found = fix_formatted_text(caption or "", [])
        if _utf16_len(clean) > MAX_CAPTION_LENGTH:
            raise ValueError("message caption is too long")
        message = self._user_message(
            file=stored,
            caption=clean or None,
            html=caption,
            caption_entities=found,
            **media,
        )
        return await self._emulator.publish({"message": self.message_to_api(message)})

    def _user_message(
        self, *, reply_to: int | ChatMessage | None = None, **fields: Any
    ) -> ChatMessage:
        """Record a message written by the user (restarting the bot if they had blocked it)."""
        self.blocked = False
        self.started = True
        reply_id = reply_to.message_id if isinstance(reply_to, ChatMessage) else reply_to
        return self.add_message(from_bot=False, reply_to_message_id=reply_id, **fields)

    async def press(self, text: str) -> Update:
        """Press the inline button with exactly this text on the newest bot message having it."""
        for message in reversed(self.bot_messages):
            button = message.find_button(text)
            if button is None:
                continue
            if "callback_data" not in button:
                raise AssertionError(f"button {text!r} is not a callback button: {button}")
            return await self._callback_query(message, button["callback_data"])
        keyboards = [m.button_texts for m in self.bot_messages if m.inline_keyboard]
        newest = keyboards[-1] if keyboards else []
        raise AssertionError(
            f"no bot message in chat {self.id} has an inline button {text!r}; "
            f"newest keyboard: {newest}"
        )

    async def press_data(self, data: str, message_id: int | None = None) -> Update:
        """Send a callback query with raw ``data`` (any string) for a bot message."""
        if message_id is None:
            with_keyboard = [m for m in self.bot_messages if m.inline_keyboard]
            if not with_keyboard:
                raise AssertionError(f"no bot message with an inline keyboard in chat {self.id}")
            message = with_keyboard[-1]
        else:
            found = self.message(message_id)
            if found is None:
                raise AssertionError(f"no message {message_id} in chat {self.id}")
            message = found
        return await self._callback_query(message, data)

    async def _callback_query(self, message: ChatMessage, data: str) -> Update:
        """Publish a callback_query update for ``message``."""
        query_id = self._emulator.new_callback_query(self)
        query = {
            "id": query_id,
            "from": self.to_user_dict(),
            "message": self.message_to_api(message),
            "chat_instance": self.chat_instance,
            "data": data,
        }
        return await self._emulator.publish({"callback_query": query})
