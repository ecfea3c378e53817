"""Files: user documents downloaded by PTB, bot uploads, file_id reuse, commands storage."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.emulator import BotApiEmulator, DocumentInfo
from tests.bot.emulator.support import RawApi, build_application


def tiny_png(width: int, height: int) -> bytes:
    """Return a valid grayscale PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


async def echo_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download the user's document and answer with its size and echo it back."""
    message = update.message
    assert message is not None and message.document is not None
    telegram_file = await message.document.get_file()
    data = bytes(await telegram_file.download_as_bytearray())
    await message.reply_text(f"{message.caption}: {len(data)} bytes")
    await message.reply_document(io.BytesIO(data.upper()), filename="echo.yaml", caption="done")


async def test_user_document_roundtrip_through_ptb(emu: BotApiEmulator, emu_url: str) -> None:
    application = build_application(emu, emu_url)
    application.add_handler(MessageHandler(filters.Document.ALL, echo_document))
    await application.initialize()

    async def process(data: dict[str, Any]) -> None:
        await application.process_update(Update.de_json(data, application.bot))

    emu.deliver = process
    user = emu.user(1001, first_name="Sara")
    update = await user.send_document(
        b"key: value\n", filename="kb.yaml", mime_type="application/x-yaml", caption="/kb_import"
    )
    await application.shutdown()

    sent = update["message"]
    assert sent["document"]["file_name"] == "kb.yaml"
    assert sent["document"]["mime_type"] == "application/x-yaml"
    assert sent["caption_entities"] == [{"type": "bot_command", "offset": 0, "length": 10}]
    assert application.bot_data.get("errors") is None
    text_reply, document_reply = user.bot_messages
    assert text_reply.text == "/kb_import: 11 bytes"
    assert document_reply.document == DocumentInfo(
        "echo.yaml", "application/octet-stream", b"KEY: VALUE\n"
    )
    assert document_reply.caption == "done"
    assert user.messages[0].document == DocumentInfo(
        "kb.yaml", "application/x-yaml", b"key: value\n"
    )


async def test_bot_uploads_and_file_id_reuse(emu: BotApiEmulator, raw: RawApi) -> None:
    user = emu.user(1001, first_name="Sara")
    await user.send("/start")
    png = tiny_png(3, 2)
    status, body = await raw.upload(
        "sendPhoto",
        {"photo": ("chart.png", png, "image/png")},
        chat_id=str(user.id),
        caption="<b>chart</b>",
        parse_mode="HTML",
    )
    assert status == 200
    photo = body["result"]["photo"][-1]
    assert (photo["width"], photo["height"], photo["file_size"]) == (3, 2, len(png))
    assert body["result"]["caption_entities"] == [{"type": "bold", "offset": 0, "length": 5}]
    assert user.last_bot_message.photo == png

    status, body = await raw.call("sendPhoto", chat_id=user.id, photo=photo["file_id"])
    assert status == 200 and body["result"]["photo"][-1]["file_id"] == photo["file_id"]
    status, body = await raw.call("sendDocument", chat_id=user.id, document=photo["file_id"])
    assert (status, body["description"]) == (
        400,
        "Bad Request: can't use file of type Photo as Document",
    )
    status, body = await raw.call("sendDocument", chat_id=user.id, document="no-such-file")
    assert body["description"] == "Bad Request: wrong file identifier/HTTP URL specified"
    status, body = await raw.call("sendDocument", chat_id=user.id)
    assert body["description"] == "Bad Request: there is no document in the request"

    status, body = await raw.call("getFile", file_id=photo["file_id"])
    assert status == 200
    file_path = body["result"]["file_path"]
    async with raw.session.get(f"{raw.url}/file/bot{raw.token}/{file_path}") as response:
        assert response.status == 200
        assert await response.read() == png
    async with raw.session.get(f"{raw.url}/file/bot{raw.token}/photos/missing") as response:
        assert response.status == 404
    status, body = await raw.call("getFile", file_id="nope")
    assert (status, body["description"]) == (400, "Bad Request: invalid file_id")


async def test_chat_action_delete_and_commands(emu: BotApiEmulator, emu_url: str) -> None:
    application = build_application(emu, emu_url)
    bot = application.bot
    user = emu.user(1001, first_name="Sara", username="sara_fa")
    await user.send("/start")
    async with application:
        assert await bot.send_chat_action(user.id, "typing")
        sent = await bot.send_message("@sara_fa", "to be deleted")
        assert await bot.delete_message(user.id, sent.message_id)
        commands = [BotCommand("start", "شروع"), BotCommand("help", "راهنما")]
        assert await bot.set_my_commands(commands)
        assert await bot.set_my_commands(
            commands[:1], scope=BotCommandScopeAllPrivateChats(), language_code="fa"
        )
        assert await bot.get_my_commands() == tuple(commands)
        assert await bot.get_my_commands(language_code="fa") == ()
        assert await bot.delete_my_commands()
        assert await bot.get_my_commands() == ()
        chat = await bot.get_chat(user.id)
        assert chat.username == "sara_fa"
    assert user.chat_actions == ["typing"]
    assert [m.text for m in user.messages] == ["/start"]
    assert [m.text for m in user.all_messages] == ["/start", "to be deleted"]
    assert emu.get_commands({"type": "all_private_chats"}, "fa") == [
        {"command": "start", "description": "شروع"}
    ]
