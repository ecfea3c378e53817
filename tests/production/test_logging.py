"""Structured logs: one JSON object per line, one line per update, never a raw Telegram id."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.emulator import BotApiEmulator
from bot.logs import QUIET_LOGGERS, configure_logging, hash_user_id, user_hash_key
from knowledge import KnowledgeBase, QuestionSet
from tests.auxil.flows import answer_questions, fill_profile, question_set_button
from tests.auxil.harness import RunningBot, bot_settings, start_bot

USER_ID = 7315926480  # ten digits, so that finding it in a log line is no coincidence
CORE_VALUES: list[int | None] = [2, 3, 4, 1, 0, None, 4, 3, 2, 1, 0, 4, 3, 2, 1, 0]


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Configure logging as `pishran run` does, into a buffer; restore it afterwards."""
    root = logging.getLogger()
    saved = (root.level, root.handlers[:])
    quiet = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    buffer = io.StringIO()
    try:
        yield buffer
    finally:
        root.handlers[:] = saved[1]
        root.setLevel(saved[0])
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_a_whole_conversation_logs_json_lines_without_the_user_id(
    emulator: BotApiEmulator,
    emulator_url: str,
    database_url: str,
    shipped_kb: KnowledgeBase,
    captured_logs: io.StringIO,
    level: str,
) -> None:
    configure_logging(level, "json", stream=captured_logs)
    bot: RunningBot = await start_bot(emulator, bot_settings(emulator, emulator_url, database_url))
    try:
        user = emulator.user(USER_ID, first_name="Maryam", language_code="fa")
        await user.send("/start")
        await fill_profile(user, shipped_kb, "fa")
        await user.press(question_set_button(user, QuestionSet.CORE))
        await answer_questions(user, shipped_kb, "fa", CORE_VALUES)
        await user.send("/help")
    finally:
        await bot.stop()

    lines = captured_logs.getvalue().splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    leaks = {r["logger"]: r["message"][:200] for r in records if str(USER_ID) in json.dumps(r)}
    assert not leaks, leaks
    assert all(str(USER_ID) not in line for line in lines)
    updates = [r for r in records if r["logger"] == "bot.monitoring"]
    assert [r["update_id"] for r in updates] == list(range(1, len(updates) + 1))
    assert len(updates) == 1 + 4 + 1 + 16 + 1  # /start, profile, checklist, answers, /help
    expected = hash_user_id(USER_ID, key=user_hash_key(emulator.token))
    assert {r["user"] for r in updates} == {expected}
    assert all(r["latency_ms"] > 0 and r["outcome"] == "ok" for r in updates)
    assert {r["kind"] for r in updates} == {"message", "callback_query"}
    assert {"time", "level", "message"} <= set(updates[0])


def test_the_user_hash_is_keyed_by_the_bot_token() -> None:
    one, other = user_hash_key("1:token-one"), user_hash_key("1:token-two")
    assert hash_user_id(42, key=one) == hash_user_id(42, key=one)
    assert hash_user_id(42, key=one) != hash_user_id(42, key=other)
    assert hash_user_id(42, key=one) != hash_user_id(43, key=one)


def test_text_logs_are_plain_lines(captured_logs: io.StringIO) -> None:
    configure_logging("INFO", "text", stream=captured_logs)
    logging.getLogger("bot.test").info("hello %s", "world")
    (line,) = captured_logs.getvalue().splitlines()
    assert line.endswith("INFO bot.test: hello world")
