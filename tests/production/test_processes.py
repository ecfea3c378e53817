"""`pishran run --webhook` as real OS processes: two share a conversation; SIGTERM is graceful."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel import col

from bot.emulator import BotApiEmulator
from knowledge import KnowledgeBase, QuestionSet
from storage.models import Answer, Assessment
from tests.auxil.flows import answer_questions, fill_profile, question_set_button
from tests.production.support import ReplicaProcess, eventually, round_robin

# The processes start together on an empty database: one migrates, the other waits for it.
pytestmark = [
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
    pytest.mark.empty_database,
]

CORE_VALUES: list[int | None] = [1, 2, 3, 4, 0, None, 2, 3, 4, 1, 0, 2, 3, 4, 2, 1]
USER_ID = 7315926480  # ten digits, so that finding it in a log line is no coincidence


def settings_environ(
    emulator: BotApiEmulator, emulator_url: str, database_url: str
) -> dict[str, str]:
    """What a deployment puts in `.env`, pointed at the emulator and the test database."""
    return {
        "BOT_TOKEN": emulator.token,
        "BOT_API_BASE_URL": f"{emulator_url}/bot",
        "BOT_API_FILE_URL": f"{emulator_url}/file/bot",
        "DATABASE_URL": database_url,
    }


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client for talking to the processes."""
    async with aiohttp.ClientSession() as client:
        yield client


async def start_processes(
    names: list[str], environ: dict[str, str], cwd: Path, session: aiohttp.ClientSession
) -> list[ReplicaProcess]:
    """Start the processes together (as `docker compose up` does) and wait until healthy."""
    processes = [await ReplicaProcess.start(name, environ, cwd, session) for name in names]
    await asyncio.gather(*(process.wait_healthy() for process in processes))
    return processes


async def stop_processes(processes: list[ReplicaProcess]) -> list[int]:
    """SIGTERM every process and return the exit codes."""
    for process in processes:
        process.terminate()
    return [await process.wait() for process in processes]


async def count(database_url: str, statement: Any) -> int:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return int(await connection.scalar(statement))
    finally:
        await engine.dispose()


async def test_two_processes_share_one_conversation(
    emulator: BotApiEmulator,
    emulator_url: str,
    database_url: str,
    shipped_kb: KnowledgeBase,
    session: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    environ = settings_environ(emulator, emulator_url, database_url)
    processes = await start_processes(["A", "B"], environ, tmp_path, session)
    try:
        emulator.deliver = round_robin(processes)
        user = emulator.user(USER_ID, language_code="fa")
        await user.send("/start")
        await fill_profile(user, shipped_kb, "fa")
        await user.press(question_set_button(user, QuestionSet.CORE))
        await answer_questions(user, shipped_kb, "fa", CORE_VALUES)
    finally:
        emulator.deliver = None
        codes = await stop_processes(processes)

    assert codes == [0, 0]
    assert "شاخص آمادگی" in "\n".join(m.text or "" for m in user.bot_messages)
    assert await count(database_url, select(func.count()).select_from(Answer)) == 16
    completed = select(func.count()).where(col(Assessment.status) == "completed")
    assert await count(database_url, completed) == 1
    a, b = processes
    assert len(a.handled_update_ids()) >= 10 and len(b.handled_update_ids()) >= 10
    assert sorted(a.handled_update_ids() + b.handled_update_ids()) == list(range(1, 23))
    # Logs: JSON lines only; the person is the same keyed hash in both, never the raw id.
    for process in processes:
        assert process.not_json == []
        assert all(str(USER_ID) not in line for line in process.raw_lines)
    users = {r["user"] for p in processes for r in p.records if r.get("logger") == "bot.monitoring"}
    assert len(users) == 1 and len(users.pop()) == 16


async def test_sigterm_lets_an_accepted_update_finish_and_reply(
    emulator: BotApiEmulator,
    emulator_url: str,
    database_url: str,
    session: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    environ = settings_environ(emulator, emulator_url, database_url)
    (process,) = await start_processes(["A"], environ, tmp_path, session)
    try:
        slow_reply = emulator.inject_fault(method="sendMessage", delay=1.0)
        emulator.deliver = process.post  # accepted (200) as soon as it is queued
        user = emulator.user(3401, language_code="en")
        update = await user.send("/start")

        async def replying() -> bool:
            return slow_reply.hits == 1

        await eventually(replying, within=15, what="the first reply to be on its way")
    finally:
        emulator.deliver = None
        (code,) = await stop_processes([process])

    assert code == 0
    assert update["update_id"] in process.handled_update_ids()
    texts = [m.text or "" for m in user.bot_messages]
    assert len(texts) == 2  # the welcome and the first profile question, each once
    assert "Pishran" in texts[0] or "پیشران" in texts[0]
