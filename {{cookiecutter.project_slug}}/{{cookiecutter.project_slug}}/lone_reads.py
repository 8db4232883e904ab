"""A reading request that has not used the session reads on a pooled connection alone.

A GET that only reads needs no session: building one, beginning its transaction and ending it
as the request ends costs more than a read by id spends in the database. So :func:`read_rows`
takes a connection from the pool for one statement, fetches its rows and hands the connection
back at once, when all of these hold:

- the request reads (GET, HEAD or OPTIONS) and has not used the session yet. Once it has (a
  query, an object added, a ``transaction()`` block), its reads run on the session's
  connection: they see its work, its pending changes are flushed first, and they take part in
  its transaction. Commands, jobs, scripts and requests that may write always read so;
- ``DB_READS_WITHOUT_TRANSACTION`` is on (the default);
- the statement is a plain SELECT, as :func:`.reads.is_plain_select` reads its SQL. The check
  runs just before the SQL is sent; a statement that may write or lock is not sent on the lone
  connection at all, but runs on the session's, so what it writes is committed or rolled back
  as the code or the commit mode decides, as before.

Such a read sees what was committed when it runs, as a read outside a transaction does; on
PostgreSQL the first plain reads of a session already run outside one (:mod:`.reads`). The
statement timeout still applies: it is an option of every connection, or ``SET LOCAL`` in the
lone connection's own transaction behind a transaction pooler.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVarTuple

from flask import current_app, has_request_context, request
from sqlalchemy import Connection, Row, Table
from sqlalchemy.engine import Engine
from sqlalchemy.sql.selectable import TypedReturnsRows

from .database import db
from .reads import ALONE, NotPlain
from .sqlite import READING_METHODS

Columns = TypeVarTuple("Columns")


def read_rows(
    table: Table, statement: TypedReturnsRows[*Columns], parameters: dict[str, Any] | None = None
) -> Sequence[Row[*Columns]]:
    """The rows of a SELECT on ``table``'s database: on a lone connection where it can (see
    above), otherwise on the session's, its pending changes flushed first."""
    if may_read_alone():
        try:
            with engine_of(table).connect() as connection:
                return connection.execute(statement, parameters, execution_options=ALONE).all()
        except NotPlain:
            pass  # nothing was sent: it runs in the session instead
    return session_connection(table).execute(statement, parameters).all()


def may_read_alone() -> bool:
    return (
        has_request_context()
        and request.method in READING_METHODS
        and not db.session.registry.has()
        and current_app.config["DB_READS_WITHOUT_TRANSACTION"]
    )


def engine_of(table: Table) -> Engine:
    """The engine of ``table``'s database: its bind's, or the default one."""
    return db.engines[table.metadata.info.get("bind_key")]


def session_connection(table: Table) -> Connection:
    """The session's connection to ``table``'s database, its pending changes flushed first."""
    session = db.session()
    if session.autoflush:
        session.flush()  # returns at once when nothing is pending
    return session.connection(bind_arguments={"clause": table})
