"""Plain data records kept by the emulator: messages, files, calls, callback answers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from bot.emulator.entities import Entity
from bot.emulator.html_render import render_html


class DocumentInfo(NamedTuple):
    """A document attached to a message."""

    filename: str
    mime_type: str
    data: bytes


class ApiCall(NamedTuple):
    """One Bot API request the emulator answered."""

    method: str
    params: dict[str, Any]
    status: int
    time: float


class CallbackAnswer(NamedTuple):
    """One answerCallbackQuery call for a user's callback query."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None = None


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        """Return the size in bytes."""
        return len(self.data)


@dataclass
class StoredFile:
    """A file the emulator keeps and serves through getFile and /file/bot<token>/."""

    file_id: str
    file_unique_id: str
    kind: str  # "photo" or "document"
    filename: str
    mime_type: str
    data: bytes = field(repr=False)
    width: int = 0
    height: int = 0

    @property
    def file_path(self) -> str:
        """Return the path used by the file download endpoint."""
        folder = "photos" if self.kind == "photo" else "documents"
        safe_name = re.sub(r"[^\w.\-]", "_", self.filename)
        return f"{folder}/{self.file_unique_id}_{safe_name}"

    def to_api(self) -> dict[str, Any]:
        """Return the Bot API object (PhotoSize or Document) for this file."""
        base = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.kind == "photo":
            return {**base, "width": self.width, "height": self.height}
        return {"file_name": self.filename, "mime_type": self.mime_type, **base}


@dataclass(eq=False)
class ChatMessage:
    """A message in an emulated chat, user's or bot's, in its current state."""

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    text: str | None = None
    html: str | None = None  # text or caption exactly as sent
    entities: list[Entity] = field(default_factory=list)
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    photo: bytes | None = field(default=None, repr=False)
    document: DocumentInfo | None = field(default=None, repr=False)
    caption: str | None = None
    caption_entities: list[Entity] = field(default_factory=list)
    reply_to_message_id: int | None = None
    edit_count: int = 0
    edit_date: int | None = None
    deleted: bool = False
    protect_content: bool = False
    disable_notification: bool = False
    file: StoredFile | None = field(default=None, repr=False)

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        """Return the inline keyboard rows (empty when the message has none)."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard")
        return rows if isinstance(rows, list) else []

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Return rows of (text, callback_data or url) for the inline keyboard."""
        return [
            [(button["text"], button.get("callback_data", button.get("url"))) for button in row]
            for row in self.inline_keyboard
        ]

    @property
    def button_texts(self) -> list[str]:
        """Return every inline button text, row by row."""
        return [text for row in self.buttons for text, _ in row]

    def find_button(self, text: str) -> dict[str, Any] | None:
        """Return the inline button whose text is exactly ``text``, if any."""
        for row in self.inline_keyboard:
            for button in row:
                if button.get("text") == text:
                    return button
        return None

    @property
    def rendered_html(self) -> str:
        """Return the text or caption rendered back to Telegram HTML from its entities."""
        if self.text is not None:
            return render_html(self.text, self.entities)
        return render_html(self.caption or "", self.caption_entities)
