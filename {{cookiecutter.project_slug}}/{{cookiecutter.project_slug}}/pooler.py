"""PostgreSQL behind a transaction pooler (``DB_POOLER=transaction``).

A transaction pooler lends each transaction whichever server connection is free, so nothing
may outlive a transaction: no startup ``options`` (the pooler refuses them), no prepared
statements (the next transaction may run where they were never prepared), no session ``SET``.
Behind one, the statement timeout is set with ``SET LOCAL`` as each transaction begins, which
costs one round trip per transaction. Without a pooler it is a startup option, which is free.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

POOLERS = ("none", "transaction")


def timeout_connect_args(pooler: str, timeout_ms: int) -> dict[str, Any]:
    """psycopg connect arguments: the statement timeout, or what keeps a pooler working.

    A timeout of 0 sets none: the server's (or the role's) own setting applies.
    """
    if pooler == "transaction":
        return {"prepare_threshold": None}  # psycopg then never prepares a statement
    return {"options": f"-c statement_timeout={timeout_ms}"} if timeout_ms else {}


def limit_each_transaction(engine: Engine, pooler: str, timeout_ms: int) -> None:
    """Behind a transaction pooler, begin every transaction with its statement timeout."""
    if pooler != "transaction" or engine.dialect.name != "postgresql" or not timeout_ms:
        return
    statement = f"SET LOCAL statement_timeout = {int(timeout_ms)}"

    def on_begin(connection: Connection) -> None:
        connection.exec_driver_sql(statement)

    event.listen(engine, "begin", on_begin)
