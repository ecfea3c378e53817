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
bench/README.md has the measurements.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_ss_cursor,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolResetState

__all__ = ["ENGINE_OPTIONS", "use_one_trip_cursors"]

#: create_async_engine's options that go with use_one_trip_cursors: `reset` below rolls back.
ENGINE_OPTIONS: dict[str, Any] = {"pool_reset_on_return": None}

_Outcome = tuple[Any, list[Any], Any, int]


_BEGINS = frozenset({"BEGIN", "BEGIN IMMEDIATE", "BEGIN DEFERRED", "BEGIN EXCLUSIVE"})


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


class _OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's cursor adapter, executing in one trip to SQLite's thread."""

    __slots__ = ()

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
            outcome: _Outcome = self.await_(
                connection._execute(_run, connection._conn, operation, parameters, many, begin)
            )
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

    __slots__ = ("pending_begin",)

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        #: A BEGIN not sent yet: it goes with the transaction's first statement.
        self.pending_begin: str | None = None

    def commit(self) -> None:
        """Commit; a transaction that never ran a statement has nothing to commit."""
        if self.pending_begin is not None:
            self.pending_begin = None
            return
        super().commit()

    def rollback(self) -> None:
        """Roll back; a transaction that never ran a statement has nothing to roll back."""
        if self.pending_begin is not None:
            self.pending_begin = None
            return
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
    if not state.asyncio_safe or state.terminate_only:
        return  # garbage collected outside the event loop, or being closed anyway
    try:
        open_transaction = dbapi_connection._connection.in_transaction
    except ValueError:  # aiosqlite: "no active connection"
        return
    if open_transaction:
        dbapi_connection.rollback()


def use_one_trip_cursors(engine: AsyncEngine) -> None:
    """Make the engine's new SQLite connections run each statement in one trip; the engine
    must have been created with ENGINE_OPTIONS."""

    def connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        adapted = dialect.loaded_dbapi.connect(*cargs, **cparams)
        return _OneTripConnection(adapted.dbapi, adapted._connection)

    event.listen(engine.sync_engine, "do_connect", connect)
    event.listen(engine.sync_engine.pool, "reset", _reset)
