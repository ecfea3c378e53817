"""Two webhook replicas on one PostgreSQL database serve one conversation as if they were one.

Each replica is a separate runtime (engine, services, caches), PTB Application and aiohttp web
app; they share nothing but the database and the Bot API emulator. PostgreSQL only: SQLite is
a single-process database.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel import col

from bot.emulator import BotApiEmulator
from knowledge import KnowledgeBase, QuestionSet, assess, to_document
from storage.kb_revisions import add_kb_revision
from storage.models import Answer, Assessment, Respondent
from tests.auxil.flows import answer_questions, fill_profile, question_set_button
from tests.production.support import (
    AiohttpClient,
    Replica,
    eventually,
    round_robin,
    start_replica,
    webhook_settings,
)

# The replicas start together on an empty database: one migrates, the other waits for it.
pytestmark = [
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
    pytest.mark.empty_database,
]

CORE_VALUES: list[int | None] = [4, 3, 1, 0, 2, 4, None, 3, 0, 1, 4, 4, 2, 0, 3, 1]
REFRESH_SECONDS = 0.2


@pytest.fixture
async def replicas(
    emulator: BotApiEmulator, emulator_url: str, database_url: str, aiohttp_client: AiohttpClient
) -> AsyncIterator[tuple[Replica, Replica]]:
    """Replicas A and B on one database; the emulator alternates updates between them."""
    settings = webhook_settings(
        emulator, emulator_url, database_url, kb_refresh_seconds=REFRESH_SECONDS
    )
    first, second = await asyncio.gather(
        start_replica("A", settings, aiohttp_client), start_replica("B", settings, aiohttp_client)
    )
    emulator.deliver = round_robin([first, second])
    yield first, second
    emulator.deliver = None
    await asyncio.gather(first.stop(), second.stop())


async def scalar(replica: Replica, statement: Any) -> Any:
    async with replica.runtime.session_factory() as session:
        return await session.scalar(statement)


async def test_one_conversation_alternating_between_replicas_completes(
    emulator: BotApiEmulator, replicas: tuple[Replica, Replica], shipped_kb: KnowledgeBase
) -> None:
    a, b = replicas
    user = emulator.user(3001, language_code="en")
    await user.send("/start")
    await fill_profile(user, shipped_kb, "en")
    await user.press(question_set_button(user, QuestionSet.CORE))
    assert "1/16" in (user.last_bot_message.text or "")
    await answer_questions(user, shipped_kb, "en", CORE_VALUES)

    # Both replicas did half of the work: neither could have kept the conversation in memory.
    for replica in (a, b):
        assert replica.handled("callback_query") >= 9, replica.name
        assert replica.handled("message") >= 1, replica.name
    text_all = "\n".join(m.text or "" for m in user.bot_messages)
    assert "Readiness index" in text_all
    core = [q.id for q in shipped_kb.questions(QuestionSet.CORE)]
    expected = assess(shipped_kb, QuestionSet.CORE, dict(zip(core, CORE_VALUES, strict=True)))
    assert f"{expected.index:.0f}" in text_all
    assert await scalar(a, select(func.count()).select_from(Answer)) == 16
    assert await scalar(b, select(func.count()).where(col(Assessment.status) == "completed")) == 1
    started = sum(
        r.registry.get_sample_value("pishran_assessments_started_total") or 0 for r in (a, b)
    )
    completed = sum(
        r.registry.get_sample_value("pishran_assessments_completed_total") or 0 for r in (a, b)
    )
    assert (started, completed) == (1, 1)


async def _waiting_for_locks(replica: Replica) -> int:
    statement = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND application_name = 'pishran' "
        "AND wait_event_type = 'Lock'"
    )
    return int(await scalar(replica, statement))


async def test_two_concurrent_presses_on_two_replicas_record_one_answer(
    emulator: BotApiEmulator,
    replicas: tuple[Replica, Replica],
    shipped_kb: KnowledgeBase,
    database_url: str,
) -> None:
    a, _ = replicas
    user = emulator.user(3101, language_code="en")
    await user.send("/start")
    await fill_profile(user, shipped_kb, "en")
    await user.press(question_set_button(user, QuestionSet.CORE))
    label = shipped_kb.scale.label(3).get("en")
    answered_before = len(user.callback_answers)

    # Hold the respondent's row so that both presses are in flight at once, then let go.
    holder = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with holder.connect() as connection, connection.begin():
            await connection.execute(
                text("SELECT id FROM respondent WHERE telegram_id = :id FOR UPDATE"),
                {"id": user.id},
            )
            presses = asyncio.gather(user.press(label), user.press(label))

            async def both_waiting() -> bool:
                return await _waiting_for_locks(a) == 2

            await eventually(both_waiting, within=10, what="both replicas waiting on the row")
        await presses
    finally:
        await holder.dispose()

    first_question = shipped_kb.questions(QuestionSet.CORE)[0].id
    answers = (
        select(func.count()).select_from(Answer).where(col(Answer.question_id) == first_question)
    )
    assert await scalar(a, answers) == 1
    assert await scalar(a, select(func.count()).select_from(Answer)) == 1
    assert "2/16" in (user.last_bot_message.text or "")
    assert all("went wrong" not in (m.text or "") for m in user.bot_messages)
    # Both presses were answered: one applied silently, the other told it was out of date.
    notices = [answer.text for answer in user.callback_answers[answered_before:]]
    assert len(notices) == 2
    assert notices.count(None) == 1
    # The next press moves on normally: nothing was skipped or doubled.
    await user.press(label)
    assert "3/16" in (user.last_bot_message.text or "")
    assert await scalar(a, select(func.count()).select_from(Answer)) == 2


async def test_a_kb_revision_activated_on_one_replica_is_used_by_the_other(
    emulator: BotApiEmulator, replicas: tuple[Replica, Replica], shipped_kb: KnowledgeBase
) -> None:
    a, b = replicas
    assert (await b.runtime.services.knowledge.active())[0] == 1  # B has revision 1 cached
    document = to_document(shipped_kb)
    question = document["factors"][0]["subfactors"][0]["questions"][0]
    question["text"]["en"] = "Revision two: " + question["text"]["en"]
    async with a.runtime.session_factory() as session, session.begin():
        revision = await add_kb_revision(
            session=session, content=document, author="test", note="reworded"
        )
    assert revision.id == 2

    async def b_sees_revision_two() -> bool:
        return (await b.runtime.services.knowledge.active())[0] == 2

    await eventually(b_sees_revision_two, within=5, what="replica B switches to revision 2")
    emulator.deliver = b.deliver  # this conversation goes to B only
    user = emulator.user(3201, language_code="en")
    await user.send("/start")
    await fill_profile(user, shipped_kb, "en")
    await user.press(question_set_button(user, QuestionSet.CORE))
    assert re.search(r"Revision two: ", user.last_bot_message.text or "")
    respondent = await scalar(
        b, select(col(Respondent.id)).where(col(Respondent.telegram_id) == user.id)
    )
    revisions = await scalar(
        b, select(col(Assessment.kb_revision)).where(col(Assessment.respondent_id) == respondent)
    )
    assert revisions == 2
