"""One trip to SQLite's thread per statement, instead of SQLAlchemy's three or four.

aiosqlite runs SQLite on a thread of its own and every call is a trip there and back: a queue,
a thread switch, and the event loop woken with the result. SQLAlchemy's aiosqlite adapter
makes four trips for a SELECT (open a cursor, execute, fetch, close) and three for any other
statement, so an answer (BEGIN, three SELECTs, an UPDATE, an INSERT, the commit and the
pool's rollback) made 23.
Here each statement is one trip: the whole cursor's life runs in SQLite's thread as one call.
A transaction's BEGIN waits for its first statement and goes in the same trip (a transaction
with no statement then makes no trip at all). And the pool rolled back every connection it
got back, one more trip after each commit; it now rolls back only a connection still in a
transaction (`reset`, below).
The connection is swapped in through SQLAlchemy's documented `do_connect` event; everything
else (the dialect, server-side cursors for streamed exports, commits) is SQLAlchemy's own.

A trip costs about 130 µs of CPU here (two threads woken, a queue, the event loop's self-pipe),
more than SQLite takes for a point read or write (a whole transaction of one SELECT costs 13
µs in plain sqlite3). So a statement marked with the execution option INLINE_OPTION (a point
read or write of an answer's or a completion's path) runs on the event loop's own thread, no
trip at all, when its transaction already holds SQLite's write lock: then nothing it does can
wait for a lock. A marked statement that carries its transaction's BEGIN IMMEDIATE runs there
too when the write lock can be had at once: the BEGIN is tried without waiting (busy_timeout 0;
this process's writers already queue on their own gate, storage/sqlite.py, so only another
process can hold the lock), and when another process holds it the BEGIN and the statement go
to SQLite's thread and wait there as before. COMMIT (the fsync) always goes to SQLite's
thread, and so does every statement not marked, or of a reader's transaction. An answer makes
one trip, its commit, instead of five. bench/README.md has the measurements.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any, TypeVar

from sqlalchemy import Executable, event
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_ss_cursor,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolResetState

from storage.sqlite import BUSY_TIMEOUT_MS

__all__ = ["ENGINE_OPTIONS", "INLINE_OPTION", "inline_on_sqlite", "use_one_trip_cursors"]

#: create_async_engine's options that go with use_one_trip_cursors: `reset` below rolls back,
#: and the connection may be used from the event loop's thread too (never at the same time:
#: SQLAlchemy awaits each call before it makes the next).
ENGINE_OPTIONS: dict[str, Any] = {
    "pool_reset_on_return": None,
    "connect_args": {"check_same_thread": False},
}
#: The execution option of a statement that may run on the event loop's thread: a point read
#: or write, microseconds in SQLite, of a transaction that holds the write lock (see above).
INLINE_OPTION = "pishran_inline"

_Executable = TypeVar("_Executable", bound=Executable)


def inline_on_sqlite(statement: _Executable) -> _Executable:
    """`statement`, marked as a point read or write that SQLite may run on the event loop's
    thread inside a writing transaction (other databases ignore the mark)."""
    return statement.execution_options(**{INLINE_OPTION: True})


_Outcome = tuple[Any, list[Any], Any, int]


_BEGINS = frozenset({"BEGIN", "BEGIN IMMEDIATE", "BEGIN DEFERRED", "BEGIN EXCLUSIVE"})
_WRITE_BEGINS = frozenset({"BEGIN IMMEDIATE", "BEGIN EXCLUSIVE"})


def _run(
    connection: sqlite3.Connection, operation: str, parameters: Any, many: bool, begin: str | None
) -> _Outcome:
    """In SQLite's thread: the transaction's BEGIN if it waited for this statement, then the
    cursor's whole life, from open to close."""
    if begin is not None:
        connection.execute(begin)
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


def _begin_at_once(connection: sqlite3.Connection, begin: str) -> bool:
    """On the event loop's thread: `begin` (a writing BEGIN) if the write lock is free now;
    False, with nothing begun, when another process holds it."""
    connection.execute("PRAGMA busy_timeout=0")
    try:
        connection.execute(begin)
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:  # the primary code, any BUSY_*
            raise
        return False
    finally:
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return True


async def _nothing() -> None:
    return None


class _OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's cursor adapter, executing in one trip to SQLite's thread (or none, for a
    statement marked INLINE_OPTION while its transaction holds the write lock)."""

    __slots__ = ("inline",)

    def __init__(self, adapt_connection: Any) -> None:
        super().__init__(adapt_connection)
        #: Set by `_mark_inline` from the statement's execution options, before it executes.
        self.inline = False

    def _one_trip(self, operation: Any, parameters: Any, *, many: bool) -> None:
        adapted = self._adapt_connection
        assert isinstance(adapted, _OneTripConnection)
        if not many and parameters in (None, ()) and operation in _BEGINS:
            adapted.pending_begin = operation  # sent with the transaction's first statement
            self.description, self.rowcount, self.lastrowid = None, -1, -1
            return
        begin, adapted.pending_begin = adapted.pending_begin, None
        connection = self._connection
        try:
            if self.inline and begin in _WRITE_BEGINS and _begin_at_once(connection._conn, begin):
                adapted.holds_write_lock, begin = True, None
            # `in_transaction`: SQLite itself may have ended the transaction (some errors
            # roll it back); outside one, a statement takes its own locks and may wait.
            if (
                self.inline
                and adapted.holds_write_lock
                and begin is None
                and connection._conn.in_transaction
            ):
                outcome = _run(connection._conn, operation, parameters, many, None)
                # AsyncConnection.execute insists that the driver awaited something: a
                # coroutine that returns at once (two greenlet switches, no loop iteration).
                self.await_(_nothing())
            else:
                outcome = self.await_(
                    connection._execute(_run, connection._conn, operation, parameters, many, begin)
                )
                if begin in _WRITE_BEGINS:
                    adapted.holds_write_lock = True
        except Exception as error:
            adapted._handle_exception(error)
        description, rows, lastrowid, rowcount = outcome
        if description:
            self.description = description
            self.lastrowid = self.rowcount = -1
            self._rows = deque(rows)
        else:
            self.description = None
            self.lastrowid = lastrowid
            self.rowcount = rowcount

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        """Execute and fetch everything, as SQLAlchemy's buffered cursor does."""
        self._one_trip(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        """Execute for each set of parameters."""
        self._one_trip(operation, seq_of_parameters, many=True)


class _OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's connection adapter whose buffered cursors make one trip per statement."""

    __slots__ = ("holds_write_lock", "pending_begin")

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        #: A BEGIN not sent yet: it goes with the transaction's first statement.
        self.pending_begin: str | None = None
        #: Whether this transaction's BEGIN IMMEDIATE went through: SQLite's write lock is ours
        #: until COMMIT or ROLLBACK, so marked statements may run on the event loop's thread.
        self.holds_write_lock = False

    def _forget_transaction(self) -> bool:
        """Forget the ending transaction's state; whether it ever reached SQLite."""
        self.holds_write_lock = False
        begun, self.pending_begin = self.pending_begin is None, None
        return begun

    def commit(self) -> None:
        """Commit; a transaction that never ran a statement has nothing to commit."""
        if self._forget_transaction():
            super().commit()

    def rollback(self) -> None:
        """Roll back; a transaction that never ran a statement has nothing to roll back."""
        if self._forget_transaction():
            super().rollback()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        """Server-side cursors (streamed exports) stay SQLAlchemy's own."""
        if server_side:
            return _StreamingCursor(self)
        return _OneTripCursor(self)

    def send_pending_begin(self) -> None:
        """Send a waiting BEGIN now, on its own trip."""
        if self.pending_begin is None:
            return
        begin, self.pending_begin = self.pending_begin, None
        try:
            self.await_(self._connection._execute(self._connection._conn.execute, begin))
        except Exception as error:
            self._handle_exception(error)
        self.holds_write_lock = begin in _WRITE_BEGINS


class _StreamingCursor(AsyncAdapt_aiosqlite_ss_cursor):
    """SQLAlchemy's server-side cursor, after the transaction's waiting BEGIN (SQLAlchemy
    opens the cursor before it begins the transaction, so this waits for the execute)."""

    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        """Begin the transaction if it waits, then execute as SQLAlchemy does."""
        adapted = self._adapt_connection
        assert isinstance(adapted, _OneTripConnection)
        adapted.send_pending_begin()
        return super().execute(operation, parameters)


def _reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
    """Roll back a connection the pool gets back only if it is still in a transaction.

    A session commits or rolls back before it returns its connection, so this is a trip
    only after an error. Runs before the `checkin` that releases the write gate.
    """
    if isinstance(dbapi_connection, _OneTripConnection):
        dbapi_connection.pending_begin = None  # a BEGIN never sent needs no rollback
        dbapi_connection.holds_write_lock = False
    if not state.asyncio_safe or state.terminate_only:
        return  # garbage collected outside the event loop, or being closed anyway
    try:
        open_transaction = dbapi_connection._connection.in_transaction
    except ValueError:  # aiosqlite: "no active connection"
        return
    if open_transaction:
        dbapi_connection.rollback()


def _mark_inline(
    _connection: Any, cursor: Any, _statement: str, _parameters: Any, context: Any, _many: bool
) -> None:
    """Tell the cursor whether its statement is marked INLINE_OPTION."""
    if isinstance(cursor, _OneTripCursor) and context is not None:
        cursor.inline = bool(context.execution_options.get(INLINE_OPTION))


def use_one_trip_cursors(engine: AsyncEngine) -> None:
    """Make the engine's new SQLite connections run each statement in one trip; the engine
    must have been created with ENGINE_OPTIONS."""

    def connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        adapted = dialect.loaded_dbapi.connect(*cargs, **cparams)
        return _OneTripConnection(adapted.dbapi, adapted._connection)

    event.listen(engine.sync_engine, "do_connect", connect)
    event.listen(engine.sync_engine, "before_cursor_execute", _mark_inline)
    event.listen(engine.sync_engine.pool, "reset", _reset)
