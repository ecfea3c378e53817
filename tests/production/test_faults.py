"""Faults on the way out (Bot API) and underneath (database): answers stay saved, users are told.

The Bot API emulator fails every n-th call (429 with retry_after, 500, 502, a stall beyond the
bot's read timeout, a dropped connection); the database is locked by another connection or its
connections are terminated. After every step the user either sees the next step or a clear
message that their answers are saved, and every answer they saw acknowledged is stored.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bench.integrity import find_problems
from bench.walk import answer_chooser, newest_keyboard, next_action, shown_question
from bot.aiohttp_request import AiohttpRequest
from bot.emulator import BotApiEmulator, ChatMessage, EmulatedUser, Fault, FaultInjector
from bot.retries import RetryingRateLimiter
from bot.settings import Settings
from handlers.i18n import Renderer
from knowledge import KnowledgeBase, QuestionSet
from tests.auxil.harness import RunningBot, bot_settings, start_bot
from tests.auxil.ports import free_port

REPLY_METHODS = ("sendMessage", "editMessageText", "answerCallbackQuery")
ANSWER = re.compile(r"a:(\d+):([a-z0-9_]+):([0-9x])")
READ_TIMEOUT = 0.5


class EveryNth(FaultInjector):
    """A fault rate: every n-th call of the reply methods fails the same way."""

    def __init__(self, every: int, *, limit: int | None = None, **fault: Any) -> None:
        super().__init__()
        self.every = every
        self.limit = limit
        self.fault = Fault(times=None, **fault)
        self.calls = 0
        self.hits = 0

    def take(self, method: str) -> Fault | None:
        """The fault for every n-th reply call, until `limit` faults; then injected ones."""
        if method not in REPLY_METHODS or (self.limit is not None and self.hits >= self.limit):
            return super().take(method)
        self.calls += 1
        if self.calls % self.every:
            return None
        self.hits += 1
        return self.fault


@dataclass
class Journey:
    """One user's steps: what each step ended with, and the answers acknowledged."""

    outcomes: list[str] = field(default_factory=list)
    acknowledged: dict[tuple[int, str], int | None] = field(default_factory=dict)
    # What to do again after being told to try again: (kind, payload, message id).
    retry: tuple[str, str, int | None] | None = None
    closed: bool = False  # a button said the assessment is closed (it was completed)


def _signature(message: ChatMessage | None) -> tuple[Any, ...] | None:
    if message is None:
        return None
    return message.message_id, message.text, tuple(d for row in message.buttons for _, d in row)


def _results_shown(message: ChatMessage | None) -> bool:
    return message is not None and any(
        d.startswith("ev:") for r in message.buttons for _, d in r if d
    )


def _choose(user: EmulatedUser, journey: Journey, told: Told) -> tuple[str, str, int | None] | None:
    """What a person does next: the step the chat asks for, or the same again when told."""
    if journey.closed:
        return "send", "/results", None  # the last answer went in; its results did not arrive
    if journey.retry is not None:
        return journey.retry
    action = next_action(user, answer_chooser(user.id))
    if action is None:
        return None
    message = newest_keyboard(user)
    return action[0], action[1], message.message_id if message is not None else None


async def take_step(
    emulator: BotApiEmulator, user: EmulatedUser, journey: Journey, told: Told
) -> bool:
    """Do what the chat asks for next; False once the results are shown."""
    chosen = _choose(user, journey, told)
    if chosen is None:
        return False
    kind, payload, message_id = chosen
    before = _signature(newest_keyboard(user))
    seen, toasts = len(user.bot_messages), len(user.callback_answers)
    if kind == "send" or message_id is None:
        await user.send(payload)
    else:
        await user.press_data(payload, message_id)
    await emulator.wait_idle(timeout=20)  # stalled calls finish too
    after = newest_keyboard(user)
    asked = ANSWER.fullmatch(payload)
    if asked is not None:  # an answer moved on when the next question or the results show
        shown = shown_question(after)
        question = (int(asked.group(1)), asked.group(2))
        progressed = _results_shown(after) or (shown is not None and shown != question)
        if progressed:
            value = asked.group(3)
            journey.acknowledged[question] = None if value == "x" else int(value)
    else:
        progressed = _signature(after) != before and (
            before is None or (after is not None and after.message_id >= before[0])
        )
    journey.closed = told.closed in [answer.text for answer in user.callback_answers[toasts:]]
    was_told = journey.closed or told.error in [m.text for m in user.bot_messages[seen:]]
    outcome = "progressed" if progressed else "told" if was_told else "nothing"
    journey.outcomes.append(outcome)
    journey.retry = chosen if outcome == "told" and not journey.closed else None
    return True


async def complete(
    emulator: BotApiEmulator, user: EmulatedUser, told: Told, *, steps: int = 80
) -> Journey:
    """Take the core checklist to its results, retrying whatever did not go through."""
    journey = Journey()
    for _ in range(steps):
        if not await take_step(emulator, user, journey, told):
            return journey
    raise AssertionError(f"no results after {steps} steps: {journey.outcomes}")


@dataclass(frozen=True)
class Told:
    """The clear messages an English user may get instead of the next step."""

    error: str
    closed: str


@pytest.fixture
def told() -> Told:
    """What the error handler says, and what a button of a completed assessment says."""
    renderer = Renderer()
    return Told(renderer.text("en", "error_saved"), renderer.text("en", "closed_assessment"))


@pytest.fixture
def client() -> str:
    """The HTTP client under python-telegram-bot (tests parametrise it to try both)."""
    return "httpx"


@pytest.fixture
def settings(
    emulator: BotApiEmulator, emulator_url: str, database_url: str, client: str
) -> Settings:
    """The bot on the emulator, giving up on a Bot API call after half a second."""
    return bot_settings(
        emulator,
        emulator_url,
        database_url,
        bot_api_read_timeout=READ_TIMEOUT,
        bot_api_client=client,
    )


@pytest.fixture
async def bot(emulator: BotApiEmulator, settings: Settings) -> AsyncIterator[RunningBot]:
    """The real bot, answering the updates the emulator delivers."""
    running = await start_bot(emulator, settings)
    yield running
    await running.stop()


def errors_handled(caplog: pytest.LogCaptureFixture) -> int:
    """How many times the error handler stepped in."""
    return sum(1 for r in caplog.records if r.name == "handlers.errors" and r.levelname == "ERROR")


async def assert_nothing_lost(
    settings: Settings, kb: KnowledgeBase, user: EmulatedUser, journey: Journey
) -> None:
    """Every acknowledged answer is stored and the assessment is whole and completed."""
    problems = await find_problems(
        settings.database_url,
        kb,
        {user.id: journey.acknowledged},
        finished=frozenset({user.id}),
    )
    assert problems == []
    assert journey.acknowledged


RETRIED: dict[str, dict[str, Any]] = {
    "429": {"status": 429, "retry_after": 1},
    "500": {"status": 500},
    "502": {"status": 502},
}


@pytest.mark.parametrize("client", ["httpx", "aiohttp"])
@pytest.mark.parametrize("mode", sorted(RETRIED))
async def test_refused_calls_are_retried_and_every_reply_arrives(
    emulator: BotApiEmulator,
    bot: RunningBot,
    settings: Settings,
    shipped_kb: KnowledgeBase,
    told: Told,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    faults = EveryNth(7 if mode == "429" else 4, **RETRIED[mode])
    emulator.faults = faults
    user = emulator.user(6100001, language_code="en")

    journey = await complete(emulator, user, told)

    assert faults.hits >= 5
    assert set(journey.outcomes) == {"progressed"}
    # A 5xx is repeated after the configured back-off (a 429 after its retry_after instead).
    delays = {r.args[-1] for r in caplog.records if r.name == "bot.retries"}  # type: ignore[index]
    assert delays == (set() if mode == "429" else {settings.bot_api_retry_backoff})
    # The charts, on request: their uploads go through the same retries.
    await user.press(Renderer().text("en", "button_charts"))
    await bot.runtime.services.charts.drain()
    assert errors_handled(caplog) == 0
    assert len([m for m in user.bot_messages if m.photo is not None]) == 2
    await assert_nothing_lost(settings, shipped_kb, user, journey)


LOST: dict[str, dict[str, Any]] = {
    "stall": {"delay": READ_TIMEOUT * 3},
    "drop": {"drop": True},
}


@pytest.mark.parametrize("client", ["httpx", "aiohttp"])
@pytest.mark.parametrize("mode", sorted(LOST))
async def test_lost_calls_end_in_the_next_step_or_a_clear_message(
    emulator: BotApiEmulator,
    bot: RunningBot,
    settings: Settings,
    shipped_kb: KnowledgeBase,
    told: Told,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    caplog.set_level(logging.ERROR)
    faults = EveryNth(5, limit=8, **LOST[mode])
    emulator.faults = faults
    user = emulator.user(6100002, language_code="en")
    last = shipped_kb.questions(QuestionSet.CORE)[-1].id
    journey = Journey()
    while (shown_question(newest_keyboard(user)) or (0, ""))[1] != last:
        assert await take_step(emulator, user, journey, told)
        assert len(journey.outcomes) < 80, journey.outcomes
    assert faults.hits == 8
    told_before = journey.outcomes.count("told")

    # The results are many messages: the first of them is lost too.
    emulator.inject_fault(method="editMessageText", **LOST[mode])
    while await take_step(emulator, user, journey, told):
        assert len(journey.outcomes) < 80, journey.outcomes

    assert "nothing" not in journey.outcomes, journey.outcomes
    assert told_before >= 1 and journey.outcomes.count("told") > told_before
    assert errors_handled(caplog) >= 2  # every lost reply was noticed and the user told
    await assert_nothing_lost(settings, shipped_kb, user, journey)


def _sqlite_path(settings: Settings) -> str:
    database = make_url(settings.database_url).database
    assert database is not None
    return database


async def _answer_first_questions(
    emulator: BotApiEmulator, user: EmulatedUser, told: Told, journey: Journey
) -> None:
    while not journey.acknowledged:  # up to and including the first answer
        assert await take_step(emulator, user, journey, told)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("held", "expected"), [(1.0, "progressed"), (6.0, "told")])
async def test_locked_sqlite_database_waits_or_tells_the_user(
    emulator: BotApiEmulator,
    bot: RunningBot,
    settings: Settings,
    shipped_kb: KnowledgeBase,
    told: Told,
    caplog: pytest.LogCaptureFixture,
    held: float,
    expected: str,
) -> None:
    user = emulator.user(6100003, language_code="en")
    journey = Journey()
    await _answer_first_questions(emulator, user, told, journey)
    blocker = sqlite3.connect(_sqlite_path(settings), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process writing: the bot must wait
    asyncio.get_running_loop().call_later(held, blocker.rollback)
    try:
        await take_step(emulator, user, journey, told)
    finally:
        blocker.close()

    assert journey.outcomes[-1] == expected  # within the busy timeout, or told to retry
    assert errors_handled(caplog) == (1 if expected == "told" else 0)
    journey.outcomes.append("(lock released)")
    while await take_step(emulator, user, journey, told):
        pass
    await assert_nothing_lost(settings, shipped_kb, user, journey)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_terminated_postgresql_connections_are_replaced(
    emulator: BotApiEmulator,
    bot: RunningBot,
    settings: Settings,
    shipped_kb: KnowledgeBase,
    told: Told,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = emulator.user(6100004, language_code="en")
    journey = Journey()
    await _answer_first_questions(emulator, user, told, journey)
    admin = create_async_engine(make_url(settings.database_url), poolclass=NullPool)
    try:
        async with admin.connect() as connection:
            # The server restarts, or an operator kills the idle connections the pool holds.
            terminated = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        assert terminated and terminated >= 1
        await take_step(emulator, user, journey, told)

        assert journey.outcomes[-1] == "progressed"
        assert errors_handled(caplog) == 0

        # Another transaction holds a lock on the assessments for a moment: the bot waits.
        async with admin.connect() as holder:
            await holder.execute(text("LOCK TABLE assessment IN ACCESS EXCLUSIVE MODE"))
            step = asyncio.create_task(take_step(emulator, user, journey, told))
            await _bot_waiting_for_lock(admin)
            await holder.rollback()
        await step
        assert journey.outcomes[-1] == "progressed"
        assert errors_handled(caplog) == 0

        # The same, but the bot's connection is cut while it waits: its update fails midway.
        async with admin.connect() as holder:
            await holder.execute(text("LOCK TABLE assessment IN ACCESS EXCLUSIVE MODE"))
            step = asyncio.create_task(take_step(emulator, user, journey, told))
            waiting = await _bot_waiting_for_lock(admin)
            async with admin.connect() as connection:
                await connection.execute(text(f"SELECT pg_terminate_backend({waiting})"))
            await holder.rollback()
        await step
    finally:
        await admin.dispose()

    assert journey.outcomes[-1] == "told"
    assert errors_handled(caplog) == 1
    while await take_step(emulator, user, journey, told):
        pass
    await assert_nothing_lost(settings, shipped_kb, user, journey)


async def _bot_waiting_for_lock(admin: AsyncEngine) -> int:
    """The process id of the bot's connection once it waits for a lock."""
    for _ in range(200):
        # A new connection each time: pg_stat_activity is a snapshot per transaction.
        async with admin.connect() as connection:
            pid = await connection.scalar(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            )
        if pid is not None:
            return int(pid)
        await asyncio.sleep(0.05)
    raise AssertionError("the bot never waited for the lock")


@pytest.mark.parametrize("client", ["httpx", "aiohttp"])
async def test_a_refused_connection_is_retried_once_the_bot_api_is_back(
    emulator: BotApiEmulator, client: str
) -> None:
    """Nothing listens on the Bot API's port at first: the connection is refused, which both
    clients report as not carried out, so the call is repeated (after the backoff, when the
    Bot API is listening again) and goes through."""
    port = free_port()
    runner = web.AppRunner(emulator.build_app())
    await runner.setup()
    backoffs: list[float] = []

    async def come_back(delay: float) -> None:  # the limiter's sleep between two attempts
        backoffs.append(delay)
        if len(backoffs) == 1:
            await web.TCPSite(runner, "127.0.0.1", port).start()

    request = AiohttpRequest() if client == "aiohttp" else HTTPXRequest()
    bot = ExtBot(
        emulator.token,
        base_url=f"http://127.0.0.1:{port}/bot",
        request=request,
        get_updates_request=AiohttpRequest() if client == "aiohttp" else HTTPXRequest(),
        rate_limiter=RetryingRateLimiter(AIORateLimiter(max_retries=0), sleep=come_back),
    )
    user = emulator.user(6100009, language_code="en")
    await user.send("/start")  # a bot may write only to someone who has started it
    try:
        async with bot:  # getMe: refused first, then answered
            await bot.send_message(user.id, "saved")
    finally:
        await runner.cleanup()
    assert backoffs == [0.5]
    assert bot.username == emulator.bot_user["username"]
    assert user.last_bot_message.text == "saved"
