"""A reading request that has not used the session reads on a pooled connection alone.

A GET that only reads needs no session: building one, beginning its transaction and ending it
as the request ends costs more than a read by id spends in the database. So
``with reading(table, *statements) as connection:`` yields a connection of the pool, handed
back when the block ends, when all of these hold:

- the request reads (GET, HEAD or OPTIONS) and has not used the session yet. Once it has (a
  query, an object added, a ``transaction()`` block), its reads run on the session's
  connection: they see its work, its pending changes are flushed first, and they take part in
  its transaction. Commands, jobs, scripts and requests that may write always read so;
- ``DB_READS_WITHOUT_TRANSACTION`` is on (the default);
- every statement the block declares is a plain SELECT, as :func:`.reads.is_plain_select`
  reads the SQL it compiles to (decided once per statement: build them once, at import). One
  that may write or lock runs on the session's connection, so the commit mode decides what it
  wrote, as before. A statement the block runs without declaring it is refused before it is
  sent, unless it is plain too.

The block's statements share one transaction of their own (a list page and its total read
one snapshot where the database gives a transaction one: SQLite, MySQL), ended by a rollback:
they wrote nothing. Such a read does not see the session, and the session's events do not run
for it: state a transaction needs (a tenant for row security, a ``search_path``) belongs in
an engine ``begin`` listener, which runs for lone connections too, or set
``DB_READS_WITHOUT_TRANSACTION=0``. The statement timeout still applies: it is an option of
every connection, or ``SET LOCAL`` in a ``begin`` listener behind a transaction pooler.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, has_request_context, request
from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.sql import ClauseElement

from .database import db
from .reads import ALONE, is_plain_select
from .sqlite import READING_METHODS

# Per dialect, whether each statement compiles to a plain SELECT (it is compiled once to see).
_plain: weakref.WeakKeyDictionary[Dialect, weakref.WeakKeyDictionary[ClauseElement, bool]] = (
    weakref.WeakKeyDictionary()
)


@contextmanager
def reading(table: Table, *statements: ClauseElement) -> Iterator[Connection]:
    """A connection to ``table``'s database for a block that runs ``statements``: a lone one
    where they may run alone (see above), otherwise the session's, its pending changes
    flushed first."""
    engine = engine_of(table)
    if may_read_alone() and all(plain(engine, statement) for statement in statements):
        with engine.connect() as connection:
            connection.begin()  # first: what engine begin listeners run is theirs, not the block's
            yield connection.execution_options(**{ALONE: True})
    else:
        yield session_connection(table)


def may_read_alone() -> bool:
    return (
        has_request_context()
        and request.method in READING_METHODS
        and not db.session.registry.has()
        and current_app.config["DB_READS_WITHOUT_TRANSACTION"]
    )


def plain(engine: Engine, statement: ClauseElement) -> bool:
    """Whether ``statement`` compiles, on ``engine``, to a SELECT that cannot write or lock."""
    verdicts = _plain.setdefault(engine.dialect, weakref.WeakKeyDictionary())
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
