"""On PostgreSQL, a reading request sends no BEGIN and no ROLLBACK until it writes.

A request that reads (GET, HEAD, OPTIONS) gets its connections in the driver's autocommit
mode: each plain SELECT runs on its own, as it would inside the READ COMMITTED transaction the
request would otherwise open (which takes a new snapshot for each statement anyway), and the
end of the request sends nothing. A read by id is then one round trip, not three.

Before the first statement that is not a plain SELECT built with SQLAlchemy (an INSERT, UPDATE
or DELETE, a SELECT ... FOR UPDATE, a SAVEPOINT, any SQL text) the connection leaves autocommit
mode: the driver opens a transaction for that statement, and from there on everything the
request does is committed or rolled back as before, by the commit mode or the code. A SELECT
of a function that writes is the one write this cannot see: run it as ``text()``.

The statement timeout still applies: it is a setting of the connection. Behind a transaction
pooler, where it is set per transaction (see ``.pooler``), reads keep their transactions. An
app that raises the isolation level (REPEATABLE READ, SERIALIZABLE: a transaction's reads then
share one snapshot) must not install these events.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy import Select, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import ConnectionPoolEntry

from .sqlite import READING_METHODS

READING = "reads_without_transaction"  # on a pool entry's ``info`` while in autocommit mode


def reads_without_transactions(engine: Engine, pooler: str) -> None:
    """Install the events, on PostgreSQL without a transaction pooler."""
    if engine.dialect.name != "postgresql" or pooler != "none":
        return
    event.listen(engine, "checkout", _on_checkout)
    event.listen(engine, "checkin", _on_checkin)
    event.listen(engine, "before_cursor_execute", _before_statement)


def _on_checkout(dbapi_connection: Any, entry: ConnectionPoolEntry, _proxy: Any) -> None:
    if has_request_context() and request.method in READING_METHODS:
        dbapi_connection.autocommit = True
        entry.info[READING] = True


def _on_checkin(dbapi_connection: Any, entry: ConnectionPoolEntry) -> None:
    # The pool has rolled back what the request left (nothing, when it only read).
    reading = entry.info.pop(READING, False)
    if reading and dbapi_connection is not None and not dbapi_connection.closed:
        dbapi_connection.autocommit = False


def _before_statement(
    connection: Connection, _cursor: Any, _statement: str, _params: Any, context: Any, _many: bool
) -> None:
    entry_info = connection.connection.info
    if entry_info.get(READING) and not _plain_select(context):
        connection.connection.dbapi_connection.autocommit = False  # type: ignore[union-attr]
        entry_info.pop(READING)


def _plain_select(context: Any) -> bool:
    compiled = getattr(context, "compiled", None)
    statement = getattr(compiled, "statement", None)
    return isinstance(statement, Select) and statement._for_update_arg is None
