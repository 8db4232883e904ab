"""SQLite connections: real transactions, foreign keys, WAL, and writers that wait their turn.

SQLite lets one transaction write at a time. A transaction opened with a plain (deferred)
``BEGIN`` reads first and asks for the write lock only at its first write; when another
writer has committed in between, its snapshot is stale and SQLite fails it at once with
"database is locked", without waiting for the busy timeout. So a request that may write (any
method but GET, HEAD and OPTIONS) opens its transaction with ``BEGIN IMMEDIATE``: it takes the
write lock first, waiting up to the busy timeout (``DB_BUSY_TIMEOUT_MS``) for the current
writer to finish.

Everything else opens with the plain ``BEGIN``: reading requests, which under WAL never wait
for a writer, and work outside requests (commands, jobs, scripts, a test's own session). That
code often keeps a session open while it calls code that opens another (a script calling a
job, a test calling the app): were the first a writer, the second would wait for it in the
same thread until the busy timeout. A job whose first statement writes (as in
``users/jobs.py``) waits for the lock all the same; one that reads before it writes can still
meet "database is locked" while others write, and should retry.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError

READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_memory_sqlite(url: URL) -> bool:
    """In-memory SQLite gets a single shared connection and no pool limits."""
    database = url.database or ""
    return url.get_backend_name() == "sqlite" and (
        database in ("", ":memory:") or url.query.get("mode") == "memory"
    )


def begin_statement() -> str:
    """How a transaction that starts now opens: as a writer in a request that may write."""
    if has_request_context() and request.method not in READING_METHODS:
        return "BEGIN IMMEDIATE"
    return "BEGIN"


def configure_sqlite(engine: Engine) -> None:
    """Install the events every SQLite connection and transaction of ``engine`` needs.

    The busy timeout comes from the ``timeout`` connect argument (see ``engine_options``).
    """
    file_database = not is_memory_sqlite(engine.url)

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Stop the driver from issuing BEGIN on its own; SQLAlchemy emits it below instead,
        # which also makes SAVEPOINT work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if file_database:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    def on_begin(connection: Any) -> None:
        # Sent on the driver's connection: through SQLAlchemy, this one word would cost as much
        # as a read by id. Its errors still reach the app as SQLAlchemy's (a lock waited for
        # in vain is an OperationalError: a 503).
        statement = begin_statement()
        try:
            connection.connection.dbapi_connection.execute(statement)
        except sqlite3.Error as error:
            raise DBAPIError.instance(statement, None, error, sqlite3.Error) from error

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", on_begin)
