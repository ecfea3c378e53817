"""SQLite statements make one trip to aiosqlite's thread, and behave as SQLAlchemy's own.

storage/sqlite_driver.py runs each statement's cursor, from open to close, as one call in
SQLite's thread, or on the event loop's thread for a marked statement of a writing
transaction. These tests count the trips and check what SQLAlchemy reads back from the
cursor: rows, rowcount, lastrowid, errors, executemany and the streamed (server-side) reads.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import greenlet_spawn

from storage.db import build_engine
from storage.sqlite import BUSY_TIMEOUT_MS, READ_ONLY_OPTION
from storage.sqlite_driver import inline_on_sqlite
from tests.auxil.sqlite_trips import record_trips


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = build_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.sqlite3'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call queued to an aiosqlite thread, by the name of the function it runs."""
    return record_trips(monkeypatch)


async def test_a_select_and_an_insert_take_one_trip_each(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.begin() as connection:
        trips.clear()  # BEGIN IMMEDIATE is a statement too: one trip, before this
        await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert len(trips) == 1
        rows = (await connection.execute(text("SELECT id, v FROM t"))).all()
        assert len(trips) == 2
    assert [tuple(row) for row in rows] == [(1, "a")]


async def test_rowcount_lastrowid_and_executemany(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        inserted = await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert inserted.lastrowid == 1
        await connection.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "b"}, {"v": "c"}])
        updated = await connection.execute(text("UPDATE t SET v = v || '!' WHERE id > 1"))
        assert updated.rowcount == 2
        values = (await connection.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
    assert values == ["a", "b!", "c!"]


async def test_errors_are_sqlalchemys_and_the_transaction_rolls_back(engine: AsyncEngine) -> None:
    with pytest.raises(exc.IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
            await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
    with pytest.raises(exc.OperationalError, match="no such table"):
        async with engine.begin() as connection:
            await connection.execute(text("SELECT * FROM missing"))
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0


async def test_streamed_reads_still_fetch_in_batches(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO t (v) VALUES (:v)"), [{"v": str(n)} for n in range(250)]
        )
    async with engine.connect() as connection:
        result = await connection.stream(text("SELECT v FROM t ORDER BY id"))
        batches = [len(batch) async for batch in result.partitions(100)]
    assert batches == [100, 100, 50]


async def test_a_committed_connection_goes_back_to_the_pool_without_a_rollback(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
    assert trips.count("commit") == 1
    assert "rollback" not in trips


async def test_a_connection_returned_inside_a_transaction_is_rolled_back(
    engine: AsyncEngine, trips: list[str]
) -> None:
    def leave_a_transaction_open() -> None:  # below SQLAlchemy's transactions: only the pool
        raw = engine.sync_engine.raw_connection()  # sees the connection come back
        assert raw.dbapi_connection is not None
        cursor = raw.dbapi_connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        cursor.execute("INSERT INTO t (v) VALUES ('uncommitted')")
        raw.close()

    await greenlet_spawn(leave_a_transaction_open)
    assert trips.count("rollback") == 1
    async with engine.begin() as connection:  # the write lock was released with it
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0


async def test_begin_goes_with_the_first_statement_and_an_empty_transaction_makes_no_trip(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
    assert trips == ["_run", "commit"]  # BEGIN IMMEDIATE and the INSERT, then the commit
    trips.clear()
    async with engine.begin():
        pass
    assert trips == []


async def test_a_streamed_read_begins_its_transaction_first(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execution_options(**{READ_ONLY_OPTION: True})
        result = await connection.stream(text("SELECT v FROM t"))
        raw = await connection.get_raw_connection()
        assert raw.driver_connection is not None
        assert raw.driver_connection.in_transaction  # one snapshot for every batch
        assert [row async for row in result] == []


def _marked(statement: str) -> Any:
    return inline_on_sqlite(text(statement))


async def _thread_names(connection: Any) -> list[str]:
    """Let SQL ask which thread runs it: SELECT thread_name()."""
    raw = await connection.get_raw_connection()
    names: list[str] = []

    def thread_name() -> str:
        names.append(threading.current_thread().name)
        return names[-1]

    await raw.driver_connection.create_function("thread_name", 0, thread_name)
    return names


async def test_marked_statements_of_a_writing_transaction_run_on_the_loops_thread(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.connect() as connection:
        names = await _thread_names(connection)
        trips.clear()
        async with connection.begin():
            # It carries BEGIN IMMEDIATE, and the write lock is free: no trip either.
            await connection.execute(_marked("INSERT INTO t (v) VALUES ('first')"))
            await connection.execute(_marked("INSERT INTO t (v) VALUES (:v)"), [{"v": "a"}])
            await connection.execute(_marked("UPDATE t SET v = v || '!' WHERE v = 'a'"))
            rows = (await connection.execute(_marked("SELECT v, thread_name() FROM t"))).all()
            assert trips == []  # none of the four made a trip
            await connection.execute(text("SELECT thread_name()"))  # not marked: a trip
            assert trips == ["_run"]
        assert trips == ["_run", "commit"]  # the commit (its fsync) is SQLite's thread's
    assert [v for v, _ in rows] == ["first", "a!"]
    assert names[0] == threading.main_thread().name
    assert names[-1] != threading.main_thread().name
    async with engine.connect() as reader:  # committed: another connection sees it
        values = (await reader.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
    assert values == ["first", "a!"]


async def test_marked_statements_of_a_reader_go_to_sqlites_thread(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.connect() as connection:
        await connection.execution_options(**{READ_ONLY_OPTION: True})
        trips.clear()
        async with connection.begin():
            await connection.execute(_marked("SELECT v FROM t"))
            await connection.execute(_marked("SELECT count(*) FROM t"))
        # A reader's BEGIN holds no write lock: each statement waits its turn in the thread.
        assert trips == ["_run", "_run", "commit"]


async def test_an_inline_error_is_sqlalchemys_and_the_transaction_rolls_back(
    engine: AsyncEngine, trips: list[str]
) -> None:
    with pytest.raises(exc.IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
            await connection.execute(_marked("INSERT INTO t (v) VALUES ('b')"))
            await connection.execute(_marked("INSERT INTO t (v) VALUES ('a')"))
    assert trips.count("rollback") == 1
    trips.clear()
    async with engine.begin() as connection:  # the next transaction begins afresh
        count = (await connection.execute(_marked("SELECT count(*) FROM t"))).scalar_one()
    assert count == 0  # neither row was kept
    assert trips == ["commit"]


async def test_a_rolled_back_transaction_leaves_nothing_of_its_inline_writes(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        await connection.execute(_marked("INSERT INTO t (v) VALUES ('b')"))
        await transaction.rollback()
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0


async def test_after_sqlite_ended_the_transaction_marked_statements_make_trips_again(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        # As SQLite does on some errors (a full disk, an I/O error): the transaction is gone
        # below SQLAlchemy, which still thinks it open.
        await connection.exec_driver_sql("ROLLBACK")
        trips.clear()
        await connection.execute(_marked("INSERT INTO t (v) VALUES ('b')"))
        assert trips == ["_run"]  # outside a transaction it may wait for a lock: the thread
        await transaction.rollback()
        values = (await connection.execute(text("SELECT v FROM t"))).scalars().all()
    assert values == ["b"]  # it ran on its own, in autocommit, as SQLite had left it


async def test_a_marked_first_statement_waits_in_sqlites_thread_while_another_process_writes(
    engine: AsyncEngine, tmp_path: Path, trips: list[str]
) -> None:
    # Another process's writer (a CLI import, a second replica): a connection of its own,
    # holding SQLite's write lock. This process's own writers queue on their gate instead.
    other = sqlite3.connect(tmp_path / "driver.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    loop = asyncio.get_running_loop()
    ticks: list[float] = []

    async def tick() -> None:
        while True:
            ticks.append(loop.time())
            await asyncio.sleep(0.01)

    async def release() -> None:
        await asyncio.sleep(0.3)
        other.execute("INSERT INTO t (v) VALUES ('theirs')")
        other.execute("COMMIT")

    ticking = asyncio.create_task(tick())
    releasing = asyncio.create_task(release())
    await asyncio.sleep(0.05)  # the ticks have begun
    try:
        async with engine.begin() as connection:
            await connection.execute(_marked("INSERT INTO t (v) VALUES ('ours')"))
            assert releasing.done()  # it waited for the other writer to commit
            timeout = await connection.scalar(text("PRAGMA busy_timeout"))
    finally:
        ticking.cancel()
        other.close()
    # BEGIN IMMEDIATE and the INSERT waited in SQLite's thread, not on the event loop's.
    assert trips[0] == "_run" and trips[-1] == "commit"
    # Had the event loop's thread waited (busy_timeout is 5 s), nothing else would have run:
    # the other writer could not even commit. A generous bound for a shared machine.
    longest_stall = max(later - earlier for earlier, later in itertools.pairwise(ticks))
    assert longest_stall < 1.5
    assert timeout == BUSY_TIMEOUT_MS  # the attempt without waiting left the timeout as it was
    async with engine.connect() as reader:
        values = (await reader.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
    assert values == ["theirs", "ours"]
