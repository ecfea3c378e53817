"""AiohttpRequest against the emulator over loopback: what python-telegram-bot gets back, with
and without handlers.replies.answers_unread()."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.aiohttp_request import AiohttpRequest
from bot.emulator import BotApiEmulator, EmulatedUser
from handlers.replies import answer_unread, answers_unread

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("بله", callback_data="a:1")]])


@pytest.fixture
async def bot(emulator: BotApiEmulator, emulator_url: str) -> AsyncIterator[ExtBot[None]]:
    """A bot on AiohttpRequest, talking to the emulator (tests/conftest.py serves it)."""
    bot: ExtBot[None] = ExtBot(
        emulator.token,
        base_url=f"{emulator_url}/bot",
        request=AiohttpRequest(),
        get_updates_request=AiohttpRequest(),
    )
    async with bot:
        yield bot


@pytest.fixture
async def user(emulator: BotApiEmulator) -> EmulatedUser:
    """Someone who has started the bot: a bot may write only to such a person."""
    person = emulator.user(7001, language_code="fa")
    await person.send("/start")
    return person


async def test_a_sent_message_is_parsed_as_usual(user: EmulatedUser, bot: ExtBot[None]) -> None:
    sent = await bot.send_message(user.id, "سلام <b>دنیا</b>", parse_mode="HTML")
    assert isinstance(sent, Message)
    assert sent.text == "سلام دنیا"
    assert sent.message_id == user.last_bot_message.message_id


async def test_unread_answers_come_back_as_true_and_the_calls_are_made(
    user: EmulatedUser, bot: ExtBot[None]
) -> None:
    first = await bot.send_message(user.id, "پرسش ۱")
    with answers_unread():
        sent: object = await bot.send_message(user.id, "پرسش ۲", reply_markup=KEYBOARD)
        edited: object = await bot.edit_message_text(
            "پرسش ۱، ویرایش‌شده", chat_id=user.id, message_id=first.message_id
        )
        me = await bot.get_me()  # other methods are answered in full
    assert sent is True
    assert edited is True
    assert me.username == "pishran_test_bot"
    texts = [message.text for message in user.bot_messages]
    assert texts == ["پرسش ۱، ویرایش‌شده", "پرسش ۲"]
    assert user.last_bot_message.reply_markup is not None
    # Outside the block, answers are parsed again.
    again = await bot.edit_message_text("دوباره", chat_id=user.id, message_id=first.message_id)
    assert isinstance(again, Message)
    assert again.text == "دوباره"


async def test_errors_are_raised_inside_the_block(user: EmulatedUser, bot: ExtBot[None]) -> None:
    sent = await bot.send_message(user.id, "same")
    with answers_unread(), pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("same", chat_id=user.id, message_id=sent.message_id)
    with answers_unread(), pytest.raises(BadRequest):
        await bot.edit_message_text("gone", chat_id=user.id, message_id=999_999)


def test_only_message_sends_and_edits_are_dropped_and_only_inside_the_block() -> None:
    assert not answer_unread("sendMessage")
    with answers_unread():
        assert answer_unread("sendMessage")
        assert answer_unread("editMessageText")
        assert not answer_unread("sendPhoto")
        assert not answer_unread("getUpdates")
        assert not answer_unread("answerCallbackQuery")
    assert not answer_unread("editMessageText")
