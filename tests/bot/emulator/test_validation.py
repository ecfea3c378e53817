"""Rejections with Telegram's exact descriptions, over raw HTTP and through PTB."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from bot.emulator import BotApiEmulator, EmulatedUser
from tests.bot.emulator.support import RawApi

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


def bad(description: str) -> dict[str, Any]:
    """Return Telegram's 400 body."""
    return {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}


@pytest.fixture
async def sara(emu: BotApiEmulator) -> EmulatedUser:
    """A user who has started the bot."""
    user = emu.user(1001, first_name="Sara", language_code="fa")
    await user.send("/start")
    return user


@pytest.fixture
async def ptb_bot(emu: BotApiEmulator, emu_url: str) -> AsyncIterator[Bot]:
    """A plain PTB Bot pointed at the emulator."""
    async with Bot(
        emu.token, base_url=f"{emu_url}/bot", base_file_url=f"{emu_url}/file/bot"
    ) as bot:
        yield bot


def keyboard(data: str) -> dict[str, Any]:
    """Return a one-button inline keyboard."""
    return {"inline_keyboard": [[{"text": "x", "callback_data": data}]]}


async def test_text_length_limits_count_utf16(raw: RawApi, sara: EmulatedUser) -> None:
    status, body = await raw.call("sendMessage", chat_id=sara.id, text="a" * 4097)
    assert (status, body) == (400, bad("message is too long"))
    status, body = await raw.call("sendMessage", chat_id=sara.id, text="😀" * 2048)
    assert status == 200 and body["result"]["text"] == "😀" * 2048
    status, body = await raw.call("sendMessage", chat_id=sara.id, text="😀" * 2048 + "a")
    assert (status, body) == (400, bad("message is too long"))
    # Length is counted after entity parsing: tags do not count.
    status, _ = await raw.call(
        "sendMessage", chat_id=sara.id, text="<b>" + "س" * 4096 + "</b>", parse_mode="HTML"
    )
    assert status == 200


@pytest.mark.parametrize(
    ("text", "parse_mode"), [("", None), ("  \n ", None), ("<b></b>  ", "HTML")]
)
async def test_empty_text(
    raw: RawApi, sara: EmulatedUser, text: str, parse_mode: str | None
) -> None:
    params: dict[str, Any] = {"chat_id": sara.id, "text": text}
    if parse_mode:
        params["parse_mode"] = parse_mode
    status, body = await raw.call("sendMessage", **params)
    assert (status, body) == (400, bad("message text is empty"))


async def test_text_is_trimmed_like_telegram(raw: RawApi, sara: EmulatedUser) -> None:
    status, body = await raw.call("sendMessage", chat_id=sara.id, text="\n  hi there \r\n ")
    assert status == 200 and body["result"]["text"] == "hi there"


async def test_caption_too_long(raw: RawApi, sara: EmulatedUser) -> None:
    status, body = await raw.upload(
        "sendDocument",
        {"document": ("a.txt", b"data", "text/plain")},
        chat_id=str(sara.id),
        caption="x" * 1025,
    )
    assert (status, body) == (400, bad("message caption is too long"))
    assert sara.bot_messages == []


async def test_callback_data_is_limited_to_64_bytes(raw: RawApi, sara: EmulatedUser) -> None:
    for data in ("a" * 64, "س" * 32, "😀" * 16):  # 64 bytes each
        status, _ = await raw.call(
            "sendMessage", chat_id=sara.id, text="ok", reply_markup=keyboard(data)
        )
        assert status == 200, data
    for data in ("a" * 65, "س" * 32 + "a", "س" * 33, ""):
        status, body = await raw.call(
            "sendMessage", chat_id=sara.id, text="no", reply_markup=keyboard(data)
        )
        assert (status, body) == (400, bad("BUTTON_DATA_INVALID")), data
    assert [m.text for m in sara.bot_messages] == ["ok", "ok", "ok"]


async def test_button_rules(raw: RawApi, sara: EmulatedUser) -> None:
    nothing = {"inline_keyboard": [[{"text": "lonely"}]]}
    status, body = await raw.call("sendMessage", chat_id=sara.id, text="t", reply_markup=nothing)
    assert (status, body) == (400, bad("text buttons are unallowed in the inline keyboard"))
    two = {"inline_keyboard": [[{"text": "x", "callback_data": "a", "url": "https://e.com"}]]}
    status, _ = await raw.call("sendMessage", chat_id=sara.id, text="t", reply_markup=two)
    assert status == 400
    empty_text = {"inline_keyboard": [[{"text": "", "callback_data": "a"}]]}
    status, _ = await raw.call("sendMessage", chat_id=sara.id, text="t", reply_markup=empty_text)
    assert status == 400
    # Form-encoded reply_markup that is not JSON.
    status, body = await raw.call(
        "sendMessage", form=True, chat_id=str(sara.id), text="t", reply_markup="{oops"
    )
    assert (status, body) == (400, bad("can't parse reply keyboard markup JSON object"))


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<b>x", "Can't find end tag corresponding to start tag b"),
        ("hi <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 3'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("سلام < b", 'Unsupported start tag "" at byte offset 9'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
    ],
)
async def test_bad_html(raw: RawApi, sara: EmulatedUser, html: str, reason: str) -> None:
    status, body = await raw.call("sendMessage", chat_id=sara.id, text=html, parse_mode="HTML")
    assert (status, body) == (400, bad(f"can't parse entities: {reason}"))


async def test_bare_ampersand_is_rejected(raw: RawApi, sara: EmulatedUser) -> None:
    status, body = await raw.call("sendMessage", chat_id=sara.id, text="R&D", parse_mode="HTML")
    assert status == 400
    assert body["description"].startswith("Bad Request: can't parse entities: ")
    status, body = await raw.call("sendMessage", chat_id=sara.id, text="R&amp;D", parse_mode="HTML")
    assert status == 200 and body["result"]["text"] == "R&D"


async def test_bad_html_through_ptb(ptb_bot: Bot, sara: EmulatedUser) -> None:
    with pytest.raises(BadRequest) as caught:
        await ptb_bot.send_message(sara.id, "a < b", parse_mode="HTML")
    # PTB strips "Bad Request: " and capitalises the rest.
    assert (
        caught.value.message == 'Can\'t parse entities: unsupported start tag "" at byte offset 2'
    )


async def test_edit_errors(raw: RawApi, sara: EmulatedUser) -> None:
    status, body = await raw.call(
        "sendMessage",
        chat_id=sara.id,
        text="<b>v1</b>",
        parse_mode="HTML",
        reply_markup=keyboard("k"),
    )
    message_id = body["result"]["message_id"]
    same = {"chat_id": sara.id, "message_id": message_id, "parse_mode": "HTML"}
    status, body = await raw.call(
        "editMessageText", text="<b>v1</b>", reply_markup=keyboard("k"), **same
    )
    assert (status, body) == (400, {**bad(""), "description": NOT_MODIFIED})
    status, body = await raw.call("editMessageReplyMarkup", reply_markup=keyboard("k"), **same)
    assert (status, body) == (400, {**bad(""), "description": NOT_MODIFIED})
    # Same text but different entities is a modification.
    status, body = await raw.call(
        "editMessageText", text="<i>v1</i>", reply_markup=keyboard("k"), **same
    )
    assert status == 200 and body["result"]["edit_date"] > 0
    status, body = await raw.call("editMessageText", chat_id=sara.id, message_id=999, text="x")
    assert (status, body) == (400, bad("message to edit not found"))
    status, body = await raw.call(
        "editMessageReplyMarkup", chat_id=sara.id, message_id=999, reply_markup=keyboard("k")
    )
    assert (status, body) == (400, bad("message to edit not found"))
    user_message_id = sara.messages[0].message_id
    status, body = await raw.call(
        "editMessageText", chat_id=sara.id, message_id=user_message_id, text="x"
    )
    assert (status, body) == (400, bad("message can't be edited"))
    assert sara.last_bot_message.edit_count == 1


async def test_not_modified_through_ptb(ptb_bot: Bot, sara: EmulatedUser) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="ok")]])
    sent = await ptb_bot.send_message(sara.id, "hello", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"^Message is not modified: specified new message"):
        await ptb_bot.edit_message_text("hello", sara.id, sent.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await ptb_bot.edit_message_text("x", sara.id, 4242)


async def test_chat_not_found_and_403s(raw: RawApi, emu: BotApiEmulator, ptb_bot: Bot) -> None:
    status, body = await raw.call("sendMessage", chat_id=555, text="hi")
    assert (status, body) == (400, bad("chat not found"))
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await ptb_bot.send_message(555, "hi")

    silent = emu.user(1003, first_name="Silent")
    status, body = await raw.call("sendMessage", chat_id=silent.id, text="hi")
    assert (status, body) == (
        403,
        {
            "ok": False,
            "error_code": 403,
            "description": "Forbidden: bot can't initiate conversation with a user",
        },
    )

    user = emu.user(1004, first_name="Blocker")
    await user.send("/start")
    user.block()
    status, body = await raw.call("sendMessage", chat_id=user.id, text="hi")
    assert (status, body) == (
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await ptb_bot.send_message(user.id, "hi")
    status, _ = await raw.call("sendChatAction", chat_id=user.id, action="typing")
    assert status == 403
    assert user.bot_messages == []
    user.unblock()
    status, _ = await raw.call("sendMessage", chat_id=user.id, text="hi")
    assert status == 200


async def test_callback_query_answered_once(
    raw: RawApi, emu: BotApiEmulator, sara: EmulatedUser
) -> None:
    await raw.call("sendMessage", chat_id=sara.id, text="pick", reply_markup=keyboard("k"))
    update = await sara.press("x")
    query_id = update["callback_query"]["id"]
    status, body = await raw.call(
        "answerCallbackQuery", callback_query_id=query_id, text="done", show_alert=True
    )
    assert (status, body) == (200, {"ok": True, "result": True})
    assert sara.callback_answers[-1].text == "done" and sara.callback_answers[-1].show_alert
    too_old = bad("query is too old and response timeout expired or query ID is invalid")
    for query in (query_id, "12345"):
        status, body = await raw.call("answerCallbackQuery", callback_query_id=query)
        assert (status, body) == (400, too_old)


async def test_token_method_and_formats(raw: RawApi, emu: BotApiEmulator) -> None:
    status, body = await raw.call("getMe", token="not-a-token")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    status, body = await raw.call("sendTelepathy")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    status, body = await raw.call("GETME")
    assert status == 200
    assert body["result"]["id"] == int(emu.token.split(":")[0])
    assert body["result"]["username"] == "pishran_test_bot"
    assert body["result"]["is_bot"] is True
    async with raw.session.get(f"{raw.url}/bot{raw.token}/getMe") as response:
        assert response.status == 200
    # An emulator bound to one token refuses others.
    strict = BotApiEmulator(token="42:" + "x" * 30)
    assert strict.accepts_token("42:" + "x" * 30)
    assert not strict.accepts_token("43:" + "x" * 30)


async def test_reply_to_missing_message(raw: RawApi, sara: EmulatedUser) -> None:
    status, body = await raw.call(
        "sendMessage", chat_id=sara.id, text="re", reply_parameters={"message_id": 77}
    )
    assert (status, body) == (400, bad("message to be replied not found"))
    status, body = await raw.call(
        "sendMessage",
        chat_id=sara.id,
        text="re",
        reply_parameters={"message_id": 1},
    )
    assert status == 200 and body["result"]["reply_to_message"]["text"] == "/start"


async def test_parse_modes(raw: RawApi, sara: EmulatedUser) -> None:
    status, body = await raw.call(
        "sendMessage", chat_id=sara.id, text="*x*", parse_mode="MarkdownV2"
    )
    assert (status, body) == (
        400,
        bad("can't parse entities: unsupported parse mode in emulator"),
    )
    status, body = await raw.call("sendMessage", chat_id=sara.id, text="x", parse_mode="Klingon")
    assert (status, body) == (400, bad("unsupported parse_mode"))
    status, body = await raw.call(
        "sendMessage", chat_id=sara.id, text="<b>x</b>", parse_mode="html"
    )
    assert status == 200 and body["result"]["entities"][0]["type"] == "bold"
    entities = [{"type": "italic", "offset": 0, "length": 2}]
    status, body = await raw.call("sendMessage", chat_id=sara.id, text="hi <b>", entities=entities)
    assert body["result"]["text"] == "hi <b>"
    assert body["result"]["entities"] == entities
