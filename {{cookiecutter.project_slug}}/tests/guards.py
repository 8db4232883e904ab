"""What the suite does around tests: empty the tables, and check for leaked connections,
pending changes and query counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

from {{ cookiecutter.project_slug }} import db


def engines(app: Flask) -> dict[str | None, Engine]:
    """The app's engines by bind key (None for the default database)."""
    with app.app_context():
        return dict(db.engines)


def dispose(app: Flask) -> None:
    """Close the pooled connections of every engine of ``app``."""
    for engine in engines(app).values():
        engine.dispose()


def checked_out(engine: Engine) -> int:
    """How many connections of ``engine``'s pool are in use right now."""
    return engine.pool.checkedout() if isinstance(engine.pool, QueuePool) else 0


def leaked_connections(apps: list[Flask]) -> list[str]:
    """Describe every pool of ``apps`` that still has a connection checked out."""
    return [
        f"{engine.url.render_as_string(hide_password=True)}: {count} checked out"
        for app in apps
        for engine in engines(app).values()
        if (count := checked_out(engine))
    ]


def empty_tables(app: Flask) -> None:
    """Delete every row of every table of ``app``, and start the ids from 1 again."""
    for key, engine in engines(app).items():
        names = [table.name for table in db.metadatas[key].sorted_tables]
        if names:
            with engine.begin() as connection:
                EMPTY[engine.dialect.name](connection, names)


# Emptying waits at most 5 s for a lock, such as one a connection a test leaked still holds.


def _empty_postgresql(connection: Connection, names: list[str]) -> None:
    connection.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
    # DELETE, not TRUNCATE: on tables of a test's few rows it is many times faster (TRUNCATE
    # makes new files for each table and its indexes).
    for name in reversed(names):
        connection.exec_driver_sql(f"DELETE FROM {name}")  # noqa: S608 - the models' tables
    connection.exec_driver_sql(RESTART_SEQUENCES)


RESTART_SEQUENCES = (
    "SELECT setval(quote_ident(schemaname) || '.' || quote_ident(sequencename), start_value, "
    "false) "
    "FROM pg_sequences WHERE schemaname = current_schema()"
)


def _empty_mysql(connection: Connection, names: list[str]) -> None:
    connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0, lock_wait_timeout = 5")
    for name in names:
        connection.exec_driver_sql(f"TRUNCATE TABLE {name}")
    connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1, lock_wait_timeout = DEFAULT")


def _empty_sqlite(connection: Connection, names: list[str]) -> None:
    # An INTEGER PRIMARY KEY counts on from the largest id left: none left, it starts at 1.
    for name in reversed(names):
        connection.exec_driver_sql(f"DELETE FROM {name}")  # noqa: S608 - the models' tables


EMPTY = {"postgresql": _empty_postgresql, "mysql": _empty_mysql, "sqlite": _empty_sqlite}


def pending_changes(session: Any) -> str | None:
    """Describe what a session still holds uncommitted, or None when it holds nothing."""
    held = {"new": session.new, "dirty": session.dirty, "deleted": session.deleted}
    described = [f"{len(objects)} {kind}" for kind, objects in held.items() if objects]
    return ", ".join(described) or None


class QueryCounter:
    """Records the statements sent to the database while it is active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.statements.append(statement)

    @property
    def queries(self) -> list[str]:
        """The statements but SQLite's BEGIN, which other drivers send without a statement."""
        return [sql for sql in self.statements if not sql.startswith("BEGIN")]

    @property
    def count(self) -> int:
        return len(self.queries)


@contextmanager
def count_queries() -> Iterator[QueryCounter]:
    """Record every statement that any engine executes inside the block."""
    counter = QueryCounter()
    event.listen(Engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(Engine, "before_cursor_execute", counter)


@contextmanager
def assert_max_queries(limit: int) -> Iterator[QueryCounter]:
    """Fail when the block sends more than ``limit`` statements to the database."""
    with count_queries() as counter:
        yield counter
    if counter.count > limit:
        listing = "\n".join(f"  {number}. {sql}" for number, sql in enumerate(counter.queries, 1))
        raise AssertionError(f"Expected at most {limit} queries, ran {counter.count}:\n{listing}")
