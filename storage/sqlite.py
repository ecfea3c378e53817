"""SQLite's connection settings and transactions: durable commits, writers taking turns.

SQLite has one write lock per database file. pysqlite began its transactions only at the first
INSERT/UPDATE/DELETE, so what a transaction read before its first write could change under it
(two read-then-write updates lost one of the writes), and writers waited for the lock by
polling (SQLite's busy handler sleeps up to 100 ms between tries, and gives up after
busy_timeout: "database is locked" under load). Here, following SQLAlchemy's documented recipe,
SQLAlchemy emits BEGIN itself: BEGIN IMMEDIATE (the write lock from the start) for every
transaction but those marked read-only, and the writers of one process queue for it first
come, first served on an asyncio lock, so they neither poll nor time out behind each other.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from sqlalchemy import Connection, event, exc
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

__all__ = ["BUSY_TIMEOUT_MS", "READ_ONLY_OPTION", "configure_sqlite"]

#: How long a writer of another process (a CLI command, a script) waits for the write lock.
BUSY_TIMEOUT_MS = 5_000
#: The execution option that begins a transaction deferred, as a reader (storage.db.read_only).
READ_ONLY_OPTION = "pishran_read_only"
# A writer of this process waits for the others this long before it gives up: only a
# transaction that opened a second writing one inside itself waits that long (a bug).
_GATE_TIMEOUT = 30.0
_HOLDS_GATE = "pishran_holds_write_gate"


class _WriteGate:
    """One writing transaction of this process at a time, in the order they asked."""

    def __init__(self) -> None:
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    async def acquire(self) -> asyncio.Lock:
        """Wait for this process's other writers; the lock to release when done."""
        lock = self._lock()
        try:
            async with asyncio.timeout(_GATE_TIMEOUT):  # no task per wait, as wait_for made
                await lock.acquire()
        except TimeoutError as error:
            raise exc.OperationalError(
                "BEGIN IMMEDIATE", None, TimeoutError("database is locked (write gate)")
            ) from error
        return lock


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite leaves foreign keys (and so ON DELETE CASCADE) off unless every connection
    # asks; WAL lets readers proceed while one writer commits.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL syncs every commit (about 3.6 ms here, see bench/README.md): the bot tells people
    # their answers are saved, so a power cut or an OS crash must not lose the last commits.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()
    dbapi_connection.isolation_level = None  # the driver begins nothing: _begin does


def configure_sqlite(engine: AsyncEngine) -> None:
    """Durable pragmas on every connection; BEGIN IMMEDIATE behind a per-process write gate."""
    gate = _WriteGate()

    def begin(connection: Connection) -> None:
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN")
            return
        info = connection.connection.info
        if _HOLDS_GATE not in info:  # a connection keeps it from its first write to check-in
            # The engine's code runs in SQLAlchemy's greenlet, so it may wait on the loop.
            info[_HOLDS_GATE] = await_only(gate.acquire())
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        # After the transaction's COMMIT or ROLLBACK (a session returns its connection at the
        # end of each transaction), or after an error invalidated the connection.
        lock = record.info.pop(_HOLDS_GATE, None)
        if lock is not None:
            lock.release()

    sync_engine = engine.sync_engine
    event.listen(sync_engine, "connect", _set_pragmas)
    event.listen(sync_engine, "begin", begin)
    event.listen(sync_engine.pool, "checkin", checkin)
