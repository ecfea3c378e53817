"""A real python-telegram-bot Application talking to the emulator over HTTP."""

from __future__ import annotations

import asyncio

import pytest

from bot.emulator import BotApiEmulator, EmulatedUser
from tests.bot.emulator.support import PtbApp, build_application


def assert_greeting(user: EmulatedUser) -> None:
    """Check the /start reply: HTML parsed to text + entities, keyboard stored."""
    reply = user.last_bot_message
    assert reply.from_bot
    assert reply.text == "سلام Sara! org_abc"
    assert reply.html == "<b>سلام</b> Sara! <code>org_abc</code>"
    assert reply.parse_mode == "HTML"
    assert reply.entities == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "code", "offset": 11, "length": 7},
    ]
    assert reply.buttons == [
        [("بله", "a:yes"), ("No", "a:no")],
        [("Docs", "https://example.com/docs")],
    ]
    assert reply.button_texts == ["بله", "No", "Docs"]
    assert reply.edit_count == 0


async def test_deliver_mode_command_and_callback(
    emu: BotApiEmulator, delivered_app: PtbApp
) -> None:
    user = emu.user(1001, first_name="Sara", language_code="fa")

    update = await user.send("/start org_abc")

    message = update["message"]
    assert update["update_id"] == 1
    assert message["from"] == {
        "id": 1001,
        "is_bot": False,
        "first_name": "Sara",
        "language_code": "fa",
    }
    assert message["chat"] == {"id": 1001, "first_name": "Sara", "type": "private"}
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert_greeting(user)
    assert [m.from_bot for m in user.messages] == [False, True]

    update = await user.press("بله")

    query = update["callback_query"]
    assert query["data"] == "a:yes"
    assert query["from"]["id"] == 1001
    assert query["message"]["message_id"] == user.last_bot_message.message_id
    assert query["message"]["from"]["username"] == "pishran_test_bot"
    assert query["message"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "بله"
    edited = user.last_bot_message
    assert edited.text == "You chose a:yes"
    assert edited.entities == [{"type": "italic", "offset": 10, "length": 5}]
    assert edited.reply_markup is None  # editMessageText without reply_markup drops it
    assert edited.edit_count == 1
    assert user.callback_answers[0].text == "got a:yes"
    assert not user.callback_answers[0].show_alert
    assert len(user.messages) == 2
    assert delivered_app.bot_data.get("errors") is None
    assert [call.method for call in emu.calls] == [
        "getMe",
        "sendMessage",
        "answerCallbackQuery",
        "editMessageText",
    ]
    assert all(call.status == 200 for call in emu.calls)


async def test_press_data_forged_and_unknown_button(
    emu: BotApiEmulator, delivered_app: PtbApp
) -> None:
    user = emu.user(1002, first_name="Omid")
    await user.send("/start")
    await user.press_data("a:1:tra_c1:3")
    assert user.last_bot_message.text == "You chose a:1:tra_c1:3"
    with pytest.raises(AssertionError, match="inline button 'Nope'"):
        await user.press("Nope")


async def test_polling_mode_with_wait_idle(emu: BotApiEmulator, emu_url: str) -> None:
    application = build_application(emu, emu_url, polling=True)
    user = emu.user(1001, first_name="Sara", language_code="fa")
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=5)
        try:
            await user.send("/start org_abc")
            await emu.wait_idle()
            assert_greeting(user)

            await user.press("No")
            await emu.wait_idle()
            assert user.last_bot_message.text == "You chose a:no"
            assert user.callback_answers[-1].text == "got a:no"
            assert len(emu.queue) == 0
        finally:
            await application.updater.stop()
            await application.stop()
    assert application.bot_data.get("errors") is None
    assert "deleteWebhook" in [call.method for call in emu.calls]


async def test_polling_many_users_in_order(emu: BotApiEmulator, emu_url: str) -> None:
    application = build_application(emu, emu_url, polling=True)
    users = [emu.user(2000 + i, first_name=f"U{i}") for i in range(5)]
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=5)
        try:
            await asyncio.gather(*(u.send(f"/start n{i}") for i, u in enumerate(users)))
            await emu.wait_idle()
        finally:
            await application.updater.stop()
            await application.stop()
    for i, user in enumerate(users):
        assert user.last_bot_message.text == f"سلام U{i}! n{i}"
