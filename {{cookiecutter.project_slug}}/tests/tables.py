"""Empty the tables after each test, and start their ids from 1 again: in one round trip.

Each database gets a cleaner with a connection of its own, outside any transaction. It asks
the database itself what holds rows, rather than tracking what this process sent, so rows that
a server, a worker or a command in another process wrote go too; and it writes only where
something is left, so a test that wrote nothing leaves no transaction to flush to disk.
A lock that another connection still holds (one a test leaked) is waited for at most 5 s.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine


def _empty_postgresql(names: list[str]) -> Callable[[Connection], None]:
    # One query of several statements, which the server runs as one transaction. DELETE, not
    # TRUNCATE, which makes new files for each table and its indexes; on an empty table it
    # writes nothing. A sequence is restarted only if it handed out a value (``last_value`` is
    # null until then, and again after the restart).
    # The models' own tables, children before the tables they point at.
    deletes = "".join(f"DELETE FROM {name}; " for name in reversed(names))  # noqa: S608
    query = (
        f"SET LOCAL lock_timeout = '5s'; {deletes}"  # noqa: S608
        "SELECT setval(quote_ident(schemaname) || '.' || quote_ident(sequencename), "
        "start_value, false) FROM pg_sequences "
        "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
    )

    def empty(connection: Connection) -> None:
        # Without parameters psycopg sends the text as it is, several statements at once.
        connection.execution_options(no_parameters=True).exec_driver_sql(query)

    return empty


SQLITE_SEQUENCES = "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"


def _empty_sqlite(names: list[str]) -> Callable[[Connection], None]:
    # Reads in-process cost microseconds; only a table with rows makes a write transaction.
    # An AUTOINCREMENT table counts on from its row in sqlite_sequence: removed with the rows.
    def empty(connection: Connection) -> None:
        left = [name for name in reversed(names) if _has_rows(connection, name)]
        if left:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            for name in left:
                connection.exec_driver_sql(f"DELETE FROM {name}")  # noqa: S608 - the models' tables
            if connection.exec_driver_sql(SQLITE_SEQUENCES).first():
                marks = ", ".join("?" for _ in left)
                forget = f"DELETE FROM sqlite_sequence WHERE name IN ({marks})"  # noqa: S608
                connection.exec_driver_sql(forget, tuple(left))
            connection.exec_driver_sql("COMMIT")

    return empty


def _has_rows(connection: Connection, name: str) -> bool:
    return connection.exec_driver_sql(f"SELECT EXISTS (SELECT 1 FROM {name})").scalar() == 1  # noqa: S608


def _empty_mysql(names: list[str]) -> Callable[[Connection], None]:
    # TRUNCATE is what restarts AUTO_INCREMENT; the session settings stay on this connection.
    def empty(connection: Connection) -> None:
        connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0, lock_wait_timeout = 5")
        for name in names:
            connection.exec_driver_sql(f"TRUNCATE TABLE {name}")

    return empty


EMPTY = {"postgresql": _empty_postgresql, "mysql": _empty_mysql, "sqlite": _empty_sqlite}


class TableCleaner:
    """Empties ``names`` (the tables of one database, parents first) on ``engine``'s database."""

    def __init__(self, engine: Engine, names: list[str]) -> None:
        self._engine = create_engine(
            engine.url, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=0
        )
        self._empty = EMPTY[engine.dialect.name](names) if names else None

    def empty(self) -> None:
        if self._empty is not None:
            with self._engine.connect() as connection:
                self._empty(connection)

    def close(self) -> None:
        self._engine.dispose()
