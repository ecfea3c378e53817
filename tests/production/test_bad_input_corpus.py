"""A corpus of hostile and malformed input, sent at every stage of the conversation.

For each input and stage: the error handler never steps in (no ERROR log line), the person
gets a non-empty answer in their language (a message, an edit or a button toast), and another
person's rows do not change. One bot serves the whole module; a simulated person is reused at
their stage until an input moves them on.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel import select

from bench.walk import answer_chooser, newest_keyboard, next_action, shown_question
from bot.emulator import BotApiEmulator, EmulatedUser
from storage.db import normalise_database_url
from storage.models import Answer, Assessment, KbRevision, Respondent
from tests.auxil.harness import RunningBot, bot_settings, start_bot
from tests.production.bad_inputs import ADMIN_ID, CORPUS, BadInput, Target

PERSIAN_LETTERS = set("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی")
STAGES = ("new", "sector", "organisation", "question", "results")
BYSTANDER_ID = 7_000_001
POSTGRES_URL_VARIABLE = "PISHRAN_TEST_POSTGRES_URL"  # as in tests/conftest.py


@dataclass
class Corpus:
    """The module's bot, emulator, a bystander and the people waiting at each stage."""

    emulator: BotApiEmulator
    bot: RunningBot
    waiting: dict[str, list[EmulatedUser]] = field(default_factory=dict)
    next_id: int = 7_100_000

    def fresh(self) -> EmulatedUser:
        """A person who has never written to the bot."""
        self.next_id += 1
        return self.emulator.user(self.next_id, language_code="fa")


def stage_of(user: EmulatedUser) -> str:
    """Where the person is, read from the chat as a person would."""
    if not user.messages:
        return "new"
    action = next_action(user, answer_chooser(user.id))
    if action is None:
        return "results"
    kind, payload = action
    if kind == "send":
        return "organisation" if payload.startswith("Organisation") else "other"
    if payload.startswith("p:") and ":s:" in payload:
        return "sector"
    return "question" if payload.startswith("a:") else "other"


async def step(user: EmulatedUser) -> None:
    """Do what the chat asks for next."""
    action = next_action(user, answer_chooser(user.id))
    assert action is not None, "already at the results"
    kind, payload = action
    message = newest_keyboard(user)
    if kind == "send" or message is None:
        await user.send(payload)
    else:
        await user.press_data(payload, message.message_id)


async def person_at(corpus: Corpus, stage: str) -> EmulatedUser:
    """A person at `stage`: one who waits there, or a new one walked there."""
    waiting = corpus.waiting.setdefault(stage, [])
    if waiting:
        return waiting.pop()
    user = corpus.fresh()
    if stage == "new":
        return user
    await user.send("/start")
    for _ in range(40):
        if stage_of(user) == stage:
            return user
        await step(user)
    raise AssertionError(f"could not walk a person to {stage}")


async def rows_of(bot: RunningBot, telegram_id: int) -> dict[str, Any]:
    """One person's stored rows as plain values."""
    async with bot.runtime.session_factory() as session:
        respondent = await session.scalar(
            select(Respondent).where(Respondent.telegram_id == telegram_id)
        )
        assert respondent is not None
        assessments = list(
            await session.scalars(
                select(Assessment)
                .where(Assessment.respondent_id == respondent.id)
                .order_by(Assessment.id)  # type: ignore[arg-type]
            )
        )
        ids = [a.id for a in assessments]
        answers = await session.scalars(
            select(Answer).where(Answer.assessment_id.in_(ids))  # type: ignore[attr-defined]
        )
        revisions = await session.scalars(select(KbRevision.id))
        return {
            "respondent": respondent.model_dump(),
            "assessments": [a.model_dump() for a in assessments],
            "answers": sorted((a.assessment_id, a.question_id, a.value) for a in answers),
            "kb_revisions": sorted(revisions),
        }


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """The module's database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('corpus') / 'corpus.sqlite3'}"
        return
    server = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} not set")
    url = make_url(normalise_database_url(server))
    name = f"pishran_corpus_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def corpus(database_url: str) -> AsyncIterator[Corpus]:
    """One bot for the module, with a bystander who has finished once and is answering again."""
    emulator = BotApiEmulator(bot_username="pishran_test_bot")
    runner = web.AppRunner(emulator.build_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    settings = bot_settings(emulator, url, database_url, admin_ids=(ADMIN_ID,))
    bot = await start_bot(emulator, settings)
    corpus = Corpus(emulator, bot)
    bystander = emulator.user(BYSTANDER_ID, language_code="fa")
    await bystander.send("/start")
    while stage_of(bystander) != "results":
        await step(bystander)
    await bystander.send("/start")
    for _ in range(8):
        await step(bystander)
    assert stage_of(bystander) == "question"
    try:
        yield corpus
    finally:
        await bot.stop()
        await emulator.close()
        await runner.cleanup()


def _bystander_target(corpus: Corpus) -> Target:
    bystander = corpus.emulator.user(BYSTANDER_ID)
    shown = shown_question(newest_keyboard(bystander))
    assert shown is not None
    return Target(assessment_id=shown[0], question_id=shown[1])


def _replies(user: EmulatedUser, messages: int, edits: int, toasts: int) -> list[str]:
    new = [m.text or m.caption or "" for m in user.bot_messages[messages:]]
    edited = sum(m.edit_count for m in user.bot_messages)
    if edited > edits:
        new.append(user.bot_messages[-1].text or "")  # an edit in place is an answer too
    new += [a.text or "" for a in user.callback_answers[toasts:]]
    return [reply for reply in new if reply.strip()]


async def send(user: EmulatedUser, bad: BadInput, target: Target) -> None:
    """Deliver the input the way Telegram would."""
    if bad.kind == "text":
        await user.send(bad.payload(target))
    elif bad.kind == "data":
        message = newest_keyboard(user) or user.bot_messages[-1]
        await user.press_data(bad.payload(target), message.message_id)
    elif bad.kind == "document":
        await user.send_document(bad.content, filename=bad.filename, caption=bad.caption or None)
    else:
        await user.send_photo(bad.content, caption=bad.caption or None)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("bad", CORPUS, ids=[bad.name for bad in CORPUS])
async def test_bad_input_gets_a_clear_answer_and_harms_no_one(
    corpus: Corpus, bad: BadInput, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    target = _bystander_target(corpus)
    others = await rows_of(corpus.bot, BYSTANDER_ID)
    stages = ("admin",) if bad.admin else [s for s in STAGES if bad.kind != "data" or s != "new"]
    for stage in stages:
        if stage == "admin":
            user = corpus.emulator.user(ADMIN_ID, language_code="fa")
        else:
            user = await person_at(corpus, stage)
        seen = (len(user.bot_messages), sum(m.edit_count for m in user.bot_messages))
        toasts = len(user.callback_answers)
        caplog.clear()

        await send(user, bad, target)

        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert errors == [], f"at {stage}: {errors}"
        replies = _replies(user, *seen, toasts)
        assert replies, f"no answer at {stage}"
        assert PERSIAN_LETTERS & set(replies[-1]), f"not in Persian at {stage}: {replies[-1]!r}"
        if stage != "admin" and stage_of(user) == stage:
            corpus.waiting.setdefault(stage, []).append(user)
    assert await rows_of(corpus.bot, BYSTANDER_ID) == others


def test_the_corpus_is_large_and_varied() -> None:
    assert len(CORPUS) >= 100
    assert {bad.kind for bad in CORPUS} == {"text", "data", "document", "photo"}
    assert len({bad.name for bad in CORPUS}) == len(CORPUS)
