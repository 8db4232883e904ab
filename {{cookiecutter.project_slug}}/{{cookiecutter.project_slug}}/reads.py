"""On PostgreSQL, a plain SELECT that finds no transaction open runs without opening one.

Under READ COMMITTED, PostgreSQL's default, every statement of a transaction takes a snapshot
of its own, so a plain SELECT reads the same rows whether a transaction is open around it or
not. Opening one costs a round trip for its BEGIN, and closing it another for its ROLLBACK: a
read by id would make three round trips where one answers it.

So a statement runs in the driver's autocommit mode when all of these hold, and otherwise just
as before (psycopg opens the transaction, and the session or the commit mode ends it):

- no transaction is open on the connection yet (once one is, everything runs inside it);
- the connection is at the server's READ COMMITTED, with autocommit off;
- the statement is a SELECT built with SQLAlchemy, with no CTE, FOR UPDATE, prefix, suffix or
  hint, no SQL text anywhere in it and no function beyond :data:`SAFE_FUNCTIONS` (a function
  may write; ``nextval`` does), and it is not streamed (a server-side cursor needs a
  transaction).

Anything else (an INSERT, a savepoint, ``text()``, the driver's own cursor) opens the
transaction as it always did, so a view that writes keeps exactly what the commit mode or the
code decides. The statement timeout still applies: it is a startup option of the connection.
Behind a transaction pooler, where it is a ``SET LOCAL`` per transaction, this stays off.
"""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import ExecutionContext
from sqlalchemy.sql import visitors
from sqlalchemy.sql.compiler import Compiled
from sqlalchemy.sql.elements import ColumnClause, TextClause
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import CTE, Select

# Functions that only compute from their arguments: a SELECT calling them cannot write.
SAFE_FUNCTIONS = frozenset(
    {"count", "sum", "min", "max", "avg", "coalesce", "lower", "upper", "length", "abs"}
)
# psycopg's values, spelled here so that projects on other databases need no psycopg.
IDLE = 0  # psycopg.pq.TransactionStatus.IDLE: no transaction open
READ_COMMITTED = (None, 2)  # psycopg.IsolationLevel: the server's default, READ_COMMITTED

_plain: weakref.WeakKeyDictionary[Compiled, bool] = weakref.WeakKeyDictionary()


def read_outside_transactions(engine: Engine) -> None:
    """Run plain SELECTs that find no transaction open on ``engine`` in autocommit mode."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return

    @event.listens_for(engine, "do_execute")
    def execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool | None:
        connection = cursor.connection
        if not _may_run_alone(engine, connection, context):
            return None  # SQLAlchemy runs it as usual
        connection.autocommit = True
        try:
            cursor.execute(statement, parameters)
        finally:
            # Only a dropped connection is not idle now; SQLAlchemy discards it.
            if connection.info.transaction_status == IDLE:
                connection.autocommit = False
        return True


def _may_run_alone(engine: Engine, connection: Any, context: ExecutionContext) -> bool:
    return (
        not connection.autocommit
        and connection.info.transaction_status == IDLE
        and connection.isolation_level in READ_COMMITTED
        # Learnt as the first connection opens; until then, nothing runs alone.
        and getattr(engine.dialect, "default_isolation_level", None) == "READ COMMITTED"
        and not context.execution_options.get("stream_results")
        and context.compiled is not None
        and is_plain_select(context.compiled)
    )


def is_plain_select(compiled: Compiled) -> bool:
    """Whether ``compiled`` is a SELECT that cannot write or lock (decided once per compiled
    statement: SQLAlchemy caches them)."""
    plain = _plain.get(compiled)
    if plain is None:
        plain = _plain[compiled] = _reads_only(compiled)
    return plain


def _reads_only(compiled: Compiled) -> bool:
    statement = compiled.statement
    if not isinstance(statement, Select) or getattr(compiled, "ctes", None):
        return False
    # The statement itself comes first, then each part of it, subqueries included.
    return all(_harmless(element) for element in visitors.iterate(statement))


def _harmless(element: Any) -> bool:
    if isinstance(element, (TextClause, CTE)):
        return False
    if isinstance(element, ColumnClause) and element.is_literal:
        return element.name == "*"  # count(*); any other literal_column() is SQL text
    if isinstance(element, FunctionElement):  # a schema's function may share a safe name
        if getattr(element, "packagenames", ()):
            return False
        return getattr(element, "name", "").lower() in SAFE_FUNCTIONS
    if isinstance(element, Select):  # no FOR UPDATE, and no SQL text in prefixes or hints
        return element._for_update_arg is None and not (
            element._prefixes or element._suffixes or element._hints or element._statement_hints
        )
    return True
