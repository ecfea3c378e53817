"""Bot API methods about chat messages: sending, editing, deleting, callback answers."""

from __future__ import annotations

import mimetypes
import time
from typing import Any

from bot.emulator.errors import bad_request, forbidden
from bot.emulator.keyboards import reply_keyboard_texts, validate_reply_markup
from bot.emulator.models import (
    CallbackAnswer,
    ChatMessage,
    DocumentInfo,
    StoredFile,
    UploadedFile,
)
from bot.emulator.params import Params
from bot.emulator.state import EmulatorState
from bot.emulator.text_params import caption_param, text_param
from bot.emulator.users import EmulatedUser

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class MessageMethods:
    """Message methods of the Bot API; mixed into BotApiMethods."""

    emu: EmulatorState

    # ------------------------------------------------------------------ helpers

    def _chat(self, p: Params) -> EmulatedUser:
        """Resolve chat_id to a known private chat or raise "chat not found"."""
        chat_id = p.values.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for user in self.emu.users.values():
                if user.username and user.username.lower() == chat_id[1:].lower():
                    return user
            raise bad_request("chat not found")
        found: EmulatedUser | None
        try:
            found = self.emu.users.get(int(chat_id))
        except (TypeError, ValueError):
            found = None
        if found is None:
            raise bad_request("chat not found")
        return found

    @staticmethod
    def _check_can_send(user: EmulatedUser) -> None:
        """Raise Telegram's 403 errors for chats the bot may not write to."""
        if user.blocked:
            raise forbidden("bot was blocked by the user")
        if not user.started:
            raise forbidden("bot can't initiate conversation with a user")

    @staticmethod
    def _reply_to(user: EmulatedUser, p: Params) -> int | None:
        """Resolve reply_parameters / reply_to_message_id to an existing message id."""
        reply = p.get_json("reply_parameters")
        if isinstance(reply, dict):
            message_id, allow = (
                reply.get("message_id"),
                bool(reply.get("allow_sending_without_reply")),
            )
        else:
            message_id = p.get_int("reply_to_message_id")
            allow = p.get_bool("allow_sending_without_reply")
        if message_id is None:
            return None
        if not isinstance(message_id, int) or user.message(message_id) is None:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return message_id

    @staticmethod
    def _remember_reply_keyboard(user: EmulatedUser, markup: dict[str, Any] | None) -> None:
        """Track the custom reply keyboard the user currently sees."""
        if markup is None:
            return
        if "keyboard" in markup:
            user.reply_keyboard = reply_keyboard_texts(markup)
        elif markup.get("remove_keyboard"):
            user.reply_keyboard = None

    def _bot_message(self, user: EmulatedUser, p: Params, **fields: Any) -> dict[str, Any]:
        """Validate markup/reply/permissions, store a new bot message and return it."""
        markup = validate_reply_markup(p.get_json("reply_markup"))
        reply_to = self._reply_to(user, p)
        self._check_can_send(user)
        message = user.add_message(
            from_bot=True,
            reply_markup=markup,
            reply_to_message_id=reply_to,
            parse_mode=p.get_str("parse_mode"),
            protect_content=p.get_bool("protect_content"),
            disable_notification=p.get_bool("disable_notification"),
            **fields,
        )
        self._remember_reply_keyboard(user, markup)
        return user.message_to_api(message)

    def _editable(self, p: Params) -> tuple[EmulatedUser, ChatMessage]:
        """Find the bot message an edit method targets."""
        if p.has("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        user = self._chat(p)
        message_id = p.get_int("message_id", error="message to edit not found")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = user.message(message_id)
        if message is None:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        if user.blocked:
            raise forbidden("bot was blocked by the user")
        return user, message

    @staticmethod
    def _mark_edited(message: ChatMessage) -> None:
        """Bump the edit counter and date."""
        message.edit_count += 1
        message.edit_date = int(time.time())

    def _input_file(self, p: Params, kind: str) -> StoredFile:
        """Turn an uploaded file or a known file_id into a stored file."""
        value = p.get_file(kind)
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad_request("file must be non-empty")
            mime = value.content_type
            if mime == "application/octet-stream":
                mime = mimetypes.guess_type(value.filename)[0] or mime
            return self.emu.files.store(kind, value.data, value.filename, mime)
        if isinstance(value, str) and value:
            stored = self.emu.files.get(value)
            if stored is not None:
                if stored.kind != kind:
                    raise bad_request(
                        f"can't use file of type {stored.kind.title()} as {kind.title()}"
                    )
                return stored
            if value.startswith(("http://", "https://")):
                raise bad_request("failed to get HTTP URL content")
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request(f"there is no {kind} in the request")

    # ------------------------------------------------------------------ sending

    async def send_message(self, p: Params) -> dict[str, Any]:
        """Send a text message."""
        user = self._chat(p)
        text, entities = text_param(self.emu, p)
        return self._bot_message(user, p, text=text, html=p.get_str("text"), entities=entities)

    async def send_photo(self, p: Params) -> dict[str, Any]:
        """Send a photo (upload or file_id) with an optional caption."""
        user = self._chat(p)
        stored = self._input_file(p, "photo")
        caption, entities = caption_param(self.emu, p)
        return self._bot_message(
            user,
            p,
            file=stored,
            photo=stored.data,
            caption=caption or None,
            caption_entities=entities,
            html=p.get_str("caption"),
        )

    async def send_document(self, p: Params) -> dict[str, Any]:
        """Send a document (upload or file_id) with an optional caption."""
        user = self._chat(p)
        stored = self._input_file(p, "document")
        caption, entities = caption_param(self.emu, p)
        return self._bot_message(
            user,
            p,
            file=stored,
            document=DocumentInfo(stored.filename, stored.mime_type, stored.data),
            caption=caption or None,
            caption_entities=entities,
            html=p.get_str("caption"),
        )

    async def send_chat_action(self, p: Params) -> bool:
        """Record a chat action such as "typing"."""
        user = self._chat(p)
        action = p.get_str("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._check_can_send(user)
        user.chat_actions.append(action)
        return True

    # ------------------------------------------------------------------ editing

    async def edit_message_text(self, p: Params) -> dict[str, Any]:
        """Replace a bot message's text (and keyboard: omitted reply_markup removes it)."""
        user, message = self._editable(p)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        text, entities = text_param(self.emu, p)
        markup = validate_reply_markup(p.get_json("reply_markup"))
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise bad_request(NOT_MODIFIED)
        message.text, message.entities, message.reply_markup = text, entities, markup
        message.html, message.parse_mode = p.get_str("text"), p.get_str("parse_mode")
        self._mark_edited(message)
        return user.message_to_api(message)

    async def edit_message_caption(self, p: Params) -> dict[str, Any]:
        """Replace a media message's caption."""
        user, message = self._editable(p)
        if message.file is None:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = caption_param(self.emu, p)
        markup = validate_reply_markup(p.get_json("reply_markup"))
        current = (message.caption or "", message.caption_entities, message.reply_markup)
        if (caption, entities, markup) == current:
            raise bad_request(NOT_MODIFIED)
        message.caption, message.caption_entities = caption or None, entities
        message.reply_markup = markup
        message.html, message.parse_mode = p.get_str("caption"), p.get_str("parse_mode")
        self._mark_edited(message)
        return user.message_to_api(message)

    async def edit_message_reply_markup(self, p: Params) -> dict[str, Any]:
        """Replace (or, when omitted, remove) a bot message's inline keyboard."""
        user, message = self._editable(p)
        markup = validate_reply_markup(p.get_json("reply_markup"))
        if markup == message.reply_markup:
            raise bad_request(NOT_MODIFIED)
        message.reply_markup = markup
        self._mark_edited(message)
        return user.message_to_api(message)

    async def delete_message(self, p: Params) -> bool:
        """Delete a message of the chat."""
        user = self._chat(p)
        message_id = p.get_int("message_id", error="message to delete not found")
        message = user.message(message_id) if message_id is not None else None
        if message is None:
            raise bad_request("message to delete not found")
        message.deleted = True
        return True

    async def answer_callback_query(self, p: Params) -> bool:
        """Answer a callback query once."""
        query_id = p.get_str("callback_query_id") or ""
        user = self.emu.take_callback_query(query_id)
        if user is None:
            raise bad_request(QUERY_TOO_OLD)
        answer = CallbackAnswer(
            query_id, p.get_str("text"), p.get_bool("show_alert"), p.get_str("url")
        )
        user.callback_answers.append(answer)
        return True
