"""On PostgreSQL, a plain SELECT that finds no transaction open runs without opening one.

Under READ COMMITTED, PostgreSQL's default, every statement of a transaction takes a snapshot
of its own, so a plain SELECT reads the same rows whether a transaction is open around it or
not. Opening one costs a round trip for its BEGIN, and closing it another for its ROLLBACK: a
read by id would make three round trips where one answers it.

So a statement runs in the driver's autocommit mode when all of these hold, and otherwise just
as before (psycopg opens the transaction, and the session or the commit mode ends it):

- no transaction is open on the connection yet (once one is, everything runs inside it);
- the connection is at the server's READ COMMITTED, with autocommit off;
- the statement is a SELECT built with SQLAlchemy and not streamed (a server-side cursor needs
  a transaction);
- the SQL it compiles to, which is what the server runs, has no CTE (``WITH``), no ``FOR
  UPDATE``/``FOR SHARE``, no ``INTO``, no comment, no second statement, no dollar quote, and
  calls no function and no operator beyond :data:`SAFE_FUNCTIONS` and :data:`SAFE_OPERATORS`
  (a function may write; ``nextval`` does, and so may an operator's). The check reads the SQL
  text, so what a type adds as it compiles (a ``column_expression``, a ``bind_expression``)
  and an ORM ``column_property`` are checked too. Anything it cannot read for sure counts as
  a write.

Anything else (an INSERT, a savepoint, ``text()`` as the whole statement, the driver's own
cursor) opens the transaction as it always did, so a view that writes keeps exactly what the
commit mode or the code decides. The statement timeout still applies: it is a startup option
of the connection. Behind a transaction pooler, where it is a ``SET LOCAL`` per transaction,
this stays off.

The check reads the SQL, not the database's own objects: it assumes the views, row security
policies, domains and casts a SELECT may reach write nothing, and that the safe functions and
operators are not overloaded with ones that write. A schema with any of them turns this off
(``DB_READS_WITHOUT_TRANSACTION=0``).

What a read outside a transaction gives up: its locks (ACCESS SHARE on each table it reads)
last for the statement only, not until the request ends, so DDL such as a migration's ``ALTER
TABLE`` may run between two reads of one request. The first statement that writes, locks or
is not plain opens the transaction, and everything after it is held as before.

The same check, on every database, decides which reads a GET may run on a connection of
their own (``lone_reads.py``).
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import ExecutionContext
from sqlalchemy.sql.compiler import Compiled, SQLCompiler
from sqlalchemy.sql.selectable import Select


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Functions that only compute from their arguments: a SELECT calling them cannot write.
SAFE_FUNCTIONS = _words("count sum min max avg coalesce lower upper length abs")
# The operators SQLAlchemy writes for comparisons, arithmetic, LIKE, strings and JSON.
SAFE_OPERATORS = _words(
    "= <> != < > <= >= + - * / % || ~~ ~~* !~~ !~~* -> ->> #> #>> @> <@ ? ?| ?& &&"
)
# Words PostgreSQL reads before a parenthesis that are syntax, not a call: reserved words and
# type names with a length or precision, none of which can name a function of one's own. (OVER,
# FILTER, BY, JOIN, IS, LIKE and ILIKE may: a window or a subquery join is not taken as plain.)
SYNTAX = _words(
    "SELECT FROM WHERE AND OR NOT IN EXISTS ANY ALL SOME ON AS CAST BETWEEN THEN ELSE WHEN CASE"
    " HAVING LIMIT OFFSET DISTINCT UNION INTERSECT EXCEPT LATERAL USING ARRAY ROW NUMERIC"
    " DECIMAL VARCHAR CHAR CHARACTER TIMESTAMP TIME INTERVAL FLOAT BIT"
)
# What SQLAlchemy writes for a bound value: ``%%`` (a literal %), ``%(name)s``, and an IN
# list's placeholder, which may carry its type's SQL for each element (``~~left~~REPL~~right~~``).
_PLACEHOLDER = re.compile(r"%%|%\(([^)]*)\)s|__\[POSTCOMPILE_(\S+?)(~~.+?~~)?\]")
_QUOTED = re.compile(r"'(?:[^'\\]|'')*'|\"(?:[^\"]|\"\")*\"")  # string literals, identifiers
_NOT_PLAIN = re.compile(
    r"['\\$;]|--|/\*|[^\x00-\x7f]|(?<![A-Za-z_])(?:WITH|FOR|INTO|LOCK)\b|\"\s*\(", re.IGNORECASE
)
_CALL = re.compile(r"(\.\s*)?\b([A-Za-z_]\w*)\s*\(")
_OPERATOR = re.compile(r"[-+*/<>=~!@#%^&|`?]+")
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
    if not isinstance(compiled, SQLCompiler) or not isinstance(compiled.statement, Select):
        return False
    # Literals and quoted names become empty ones: what they hold is data, not SQL.
    sql = _QUOTED.sub(lambda quoted: quoted[0][0] * 2, _values_as_zeros(compiled))
    if not sql.lstrip().startswith("SELECT") or _NOT_PLAIN.search(sql.replace("''", " ")):
        return False
    calls = _CALL.finditer(sql)
    return all(
        not qualified and (name in SYNTAX or name.lower() in SAFE_FUNCTIONS)
        for qualified, name in (call.groups() for call in calls)
    ) and all(operator in SAFE_OPERATORS for operator in _OPERATOR.findall(sql))


def _values_as_zeros(compiled: SQLCompiler) -> str:
    """The SQL with each of the statement's own placeholders as ``0``; the SQL a type wraps
    around each element of an IN list is kept, and anything that only looks like a
    placeholder (inside SQL text) stays, to be read as SQL."""
    names = set(compiled.bind_names.values())
    names |= {compiled.escaped_bind_names.get(name, name) for name in names}

    def value(match: re.Match[str]) -> str:
        if match[0] == "%%":
            return "%"
        if (match[1] or match[2]) not in names:
            return match[0]
        return "0" + (match[3] or "")  # "~~" around the element's SQL reads as an operator

    return _PLACEHOLDER.sub(value, compiled.string)
