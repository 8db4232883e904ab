"""A reading request that has not used the session reads on a pooled connection alone.

A GET that only reads needs no session: building one, beginning its transaction and ending it
as the request ends costs more than a read by id spends in the database. So
``with reading(table, *statements) as reader:`` runs the block's ``reader.execute(...)`` on a
connection of the pool, handed back when the block ends, when all of these hold:

- the request reads (GET, HEAD or OPTIONS) and has not used the session yet. Once it has (a
  query, an object added, a ``transaction()`` block), its reads run on the session's
  connection: they see its work, its pending changes are flushed first, and they take part in
  its transaction. Commands, jobs, scripts and requests that may write always read so;
- ``DB_READS_WITHOUT_TRANSACTION`` is on (the default);
- every statement the block declares is a plain SELECT, as :func:`.reads.is_plain_select`
  reads the SQL it compiles to (decided once per statement: build them once, at import). One
  that may write or lock sends the block to the session's connection, so the commit mode
  decides what it wrote, as before. A statement the block did not declare must be plain too,
  or it fails the block (:class:`NotPlain`) before it is sent, wherever the block runs.

The block's statements share one connection and, where the database opens one for them
(SQLite, MySQL; PostgreSQL behind a transaction pooler), one transaction, so a list page and
its total read one snapshot; it is rolled back at the end: they wrote nothing. (On PostgreSQL
otherwise each plain SELECT runs outside a transaction: :mod:`.reads`.) Inside the block, read
through ``reader`` alone: the session, or another ``reading()``, would take a second
connection from the pool while the first is held. It runs SQLAlchemy Core statements: rows,
never ORM objects (``select(User)`` gives the user's columns).

A lone read does not see the session, and the session's events do not run for it: state a
transaction needs (a tenant for row security, a ``search_path``) belongs in an engine
``begin`` listener, which runs for lone connections too, or set
``DB_READS_WITHOUT_TRANSACTION=0``. The statement timeout still applies: it is an option of
every connection, or ``SET LOCAL`` in a ``begin`` listener behind a transaction pooler.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVarTuple

from flask import current_app, has_request_context, request
from sqlalchemy import Connection, Result, Table
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.selectable import TypedReturnsRows

from .database import db
from .reads import is_plain_select
from .sqlite import READING_METHODS

Columns = TypeVarTuple("Columns")
# Per dialect, whether each statement compiles to a plain SELECT (it is compiled once to see).
_plain: weakref.WeakKeyDictionary[Dialect, weakref.WeakKeyDictionary[ClauseElement, bool]] = (
    weakref.WeakKeyDictionary()
)


class NotPlain(RuntimeError):
    """A statement that may write or lock was about to run on a lone read's connection."""


class Reader:
    """What a reading block runs its SELECTs with: a lone connection, or the session's."""

    def __init__(self, connection: Connection, declared: tuple[ClauseElement, ...]) -> None:
        self._connection = connection
        self._declared = declared

    def execute(
        self, statement: TypedReturnsRows[*Columns], parameters: Mapping[str, Any] | None = None
    ) -> Result[*Columns]:
        """Run ``statement``: one the block declared, or a plain SELECT."""
        declared = any(statement is known for known in self._declared)
        if not declared and not plain(self._connection.engine, statement):
            raise NotPlain(f"Not declared, and not a plain SELECT: {statement}")
        return self._connection.execute(statement, parameters)


@contextmanager
def reading(table: Table, *statements: ClauseElement) -> Iterator[Reader]:
    """A reader on ``table``'s database for a block that runs ``statements``: on a lone
    connection where they may run alone (see above), otherwise on the session's, its
    pending changes flushed first."""
    if may_read_alone():
        engine = engine_of(table)
        with engine.connect() as connection:  # connected first: the dialect knows its server
            if all(plain(engine, statement) for statement in statements):
                yield Reader(connection, statements)
                return
    yield Reader(session_connection(table), statements)


def may_read_alone() -> bool:
    return (
        has_request_context()
        and request.method in READING_METHODS
        and not db.session.registry.has()
        and current_app.config["DB_READS_WITHOUT_TRANSACTION"]
    )


def plain(engine: Engine, statement: ClauseElement) -> bool:
    """Whether ``statement`` compiles, on ``engine``, to a SELECT that cannot write or lock."""
    verdicts = _plain.get(engine.dialect)
    if verdicts is None:
        verdicts = _plain[engine.dialect] = weakref.WeakKeyDictionary()
    verdict = verdicts.get(statement)
    if verdict is None:
        verdict = verdicts[statement] = is_plain_select(statement.compile(dialect=engine.dialect))
    return verdict


def engine_of(table: Table) -> Engine:
    """The engine of ``table``'s database: its bind's, or the default one."""
    return db.engines[table.metadata.info.get("bind_key")]


def session_connection(table: Table) -> Connection:
    """The session's connection to ``table``'s database, its pending changes flushed first."""
    session = db.session()
    if session.autoflush:
        session.flush()  # returns at once when nothing is pending
    return session.connection(bind_arguments={"clause": table})
