"""Concurrent writers on one database: each takes its turn, none fails, nothing is lost.

On SQLite, a transaction that reads and then writes used to fail at once with "database is
locked" when another connection committed in between; every transaction now begins
IMMEDIATE (storage/db.py), so writers wait for the write lock instead.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from types import MappingProxyType

import pytest
from sqlalchemy import func, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from storage.assessments import (
    get_active_assessment,
    load_interview_state,
    save_interview_state,
    start_assessment,
)
from storage.db import build_engine, build_session_factory, read_only
from storage.models import Answer, Assessment, AssessmentStatus
from storage.respondents import get_or_create_respondent

PEOPLE = 24
ANSWERS = 12


async def _answer(factory: async_sessionmaker[AsyncSession], telegram_id: int, n: int) -> None:
    """One update as the checklist makes it: read the person and the state, then write."""
    async with factory() as session, session.begin():
        respondent = await get_or_create_respondent(
            session=session, telegram_id=telegram_id, language="fa"
        )
        assert respondent.id is not None
        active = await get_active_assessment(
            session=session, respondent_id=respondent.id, for_update=True
        )
        if active is None:
            active = await start_assessment(
                session=session, respondent_id=respondent.id, kb_revision=1
            )
        state = await load_interview_state(session=session, assessment=active)
        answers = {**state.answers, f"q{n}": n % 5}
        new = replace(state, answers=MappingProxyType(answers), cursor=n + 1)
        await save_interview_state(session=session, assessment=active, state=new, previous=state)


async def _person(factories: list[async_sessionmaker[AsyncSession]], telegram_id: int) -> None:
    # One person's updates in order (as bot/update_order.py keeps them), alternating between
    # two engines, as two processes or replicas would; everyone else's run alongside.
    for n in range(ANSWERS):
        await _answer(factories[(telegram_id + n) % 2], telegram_id, n)


async def test_concurrent_read_then_write_transactions_all_commit(database_url: str) -> None:
    engines = [build_engine(database_url), build_engine(database_url)]
    factories = [build_session_factory(engine) for engine in engines]
    try:
        results = await asyncio.gather(
            *(_person(factories, 7_000_000 + person) for person in range(PEOPLE)),
            return_exceptions=True,
        )
        assert [r for r in results if r is not None] == []
        async with factories[0]() as session:
            assessments = list(await session.scalars(select(Assessment)))
            answers = await session.scalar(select(func.count()).select_from(Answer))
            versions = {a.version for a in assessments}
            cursors = {a.cursor for a in assessments}
        assert len(assessments) == PEOPLE
        assert {a.status for a in assessments} == {AssessmentStatus.ACTIVE}
        assert answers == PEOPLE * ANSWERS  # every acknowledged answer is there
        assert versions == {ANSWERS} and cursors == {ANSWERS}
    finally:
        for engine in engines:
            await engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_reader_does_not_wait_for_a_writer(database_url: str) -> None:
    engine = build_engine(database_url)
    factory = build_session_factory(engine)
    try:
        async with factory() as writer, writer.begin():
            await writer.execute(text("CREATE TABLE probe (n INTEGER)"))  # holds the write lock
            async with factory() as reader:
                await read_only(reader)
                started = asyncio.get_running_loop().time()
                count = await reader.scalar(select(func.count()).select_from(Assessment))
                waited = asyncio.get_running_loop().time() - started
        assert count == 0
        assert waited < 1.0  # busy_timeout is 5 s: a reader that waited would show it
    finally:
        await engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_writer_waits_for_another_instead_of_failing(database_url: str) -> None:
    engine = build_engine(database_url)
    factory = build_session_factory(engine)
    try:
        async with factory() as session, session.begin():
            await get_or_create_respondent(session=session, telegram_id=1, language="fa")
        release = asyncio.Event()

        async def first() -> None:
            async with factory() as session, session.begin():
                await session.execute(text("UPDATE respondent SET language = 'en'"))
                await release.wait()

        holder = asyncio.create_task(first())
        await asyncio.sleep(0.05)
        second = asyncio.create_task(_answer(factory, 1, 0))
        await asyncio.sleep(0.2)
        assert not second.done()  # waiting for the write lock, not failed
        release.set()
        await asyncio.gather(holder, second)
        async with factory() as session:
            stored = await session.scalar(
                select(func.count()).where(col(Answer.question_id) == "q0")
            )
        assert stored == 1
    finally:
        await engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_what_a_transaction_read_is_what_it_writes_over(database_url: str) -> None:
    # pysqlite's own transactions began only at the first write, so what a transaction had
    # read could change under it and its write overwrote another's: increments got lost.
    engines = [build_engine(database_url), build_engine(database_url)]
    factories = [build_session_factory(engine) for engine in engines]
    try:
        async with factories[0]() as session, session.begin():
            await session.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
            await session.execute(text("INSERT INTO counter VALUES (0)"))

        async def increment(task: int) -> None:
            async with factories[task % 2]() as session, session.begin():
                n = await session.scalar(text("SELECT n FROM counter"))
                await asyncio.sleep(0.001)  # others run meanwhile
                await session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})

        await asyncio.gather(*(increment(task) for task in range(40)))
        async with factories[0]() as session:
            assert await session.scalar(text("SELECT n FROM counter")) == 40
    finally:
        for engine in engines:
            await engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_more_writers_than_pooled_connections_with_nested_reads(database_url: str) -> None:
    # Waiting writers hold a connection each; the gate's holder reads in a second session
    # (as the KB store does inside an update): no pool size may deadlock that.
    engine = build_engine(database_url)
    factory = build_session_factory(engine)

    async def update(telegram_id: int) -> None:
        async with factory() as session, session.begin():
            await get_or_create_respondent(session=session, telegram_id=telegram_id, language="fa")
            async with factory() as nested:
                await read_only(nested)
                await nested.scalar(select(func.count()).select_from(Assessment))

    try:
        await asyncio.wait_for(
            asyncio.gather(*(update(8_000_000 + n) for n in range(40))), timeout=20
        )
        async with factory() as session:
            assert await session.scalar(text("SELECT count(*) FROM respondent")) == 40
    finally:
        await engine.dispose()
