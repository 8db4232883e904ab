"""The test run's databases: made on the test server when the run starts, dropped when it ends.

Each run (and each pytest-xdist worker) gets databases of its own, so runs in parallel never
see each other's rows. SQLite databases are files in the run's temporary folder.

Nothing a test writes has to survive a power cut, so the run's databases do not wait for the
disk at each commit (``synchronous_commit = off`` on the PostgreSQL databases the run makes,
``PRAGMA synchronous = OFF`` on SQLite connections): what a commit makes visible, and to whom,
is unchanged.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool, Pool

from {{ cookiecutter.project_slug }}.engine import normalise_url
from {{ cookiecutter.project_slug }}.sqlite import is_memory_sqlite

# "gw0", "gw1", ... under pytest-xdist; empty in a plain run.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
MAINTENANCE_DATABASE = {"postgresql": "postgres", "mysql": None}


def server_of(url: URL) -> Engine:
    """An engine on the server's maintenance database, for CREATE and DROP DATABASE."""
    server = url._replace(database=MAINTENANCE_DATABASE[url.get_backend_name()])
    return create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def check_server(server: Engine, variable: str) -> None:
    """Stop the run with one line when the test server does not answer."""
    try:
        server.connect().close()
    except OperationalError:
        where = server.url.render_as_string(hide_password=True)
        pytest.exit(
            f"The test database server at {where} does not answer. Start it "
            f"(`docker compose up -d db`), or point {variable} at one.",
            returncode=3,
        )


@contextmanager
def run_database(variable: str, raw_url: str, folder: Path) -> Iterator[str]:
    """The URL of a database for this run, named after ``raw_url``'s; dropped afterwards.

    In-memory SQLite becomes a file: the app's pool then has real, separate connections.
    """
    url = make_url(normalise_url(raw_url, variable))
    if url.get_backend_name() == "sqlite":
        path = folder / f"{variable.lower()}{WORKER}.db" if is_memory_sqlite(url) else url.database
        yield url.set(database=str(path)).render_as_string(hide_password=False)
        return
    name = f"{url.database}_{WORKER}" if WORKER else url.database
    with server_database(url, name, variable) as run_url:
        yield run_url


@contextmanager
def server_database(
    url: URL, name: str | None, variable: str = "TEST_DATABASE_URL"
) -> Iterator[str]:
    """A database called ``name`` on ``url``'s server, made now (if missing) and dropped after.

    A database that already existed is used as it is and left in place.
    """
    server = server_of(url)
    check_server(server, variable)
    with server.connect() as connection:
        created = not database_exists(connection, url.get_backend_name(), name)
        if created:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
            if url.get_backend_name() == "postgresql":
                connection.exec_driver_sql(f"ALTER DATABASE {name} SET synchronous_commit = off")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        if created:
            with server.connect() as connection:
                connection.exec_driver_sql(DROP[url.get_backend_name()].format(name=name))
        server.dispose()


@contextmanager
def new_database(raw_url: str, folder: Path) -> Iterator[str]:
    """A new database with no tables, of the kind ``raw_url`` names; dropped afterwards."""
    url = make_url(normalise_url(raw_url))
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{folder / f'new-{uuid4().hex[:8]}.db'}"
        return
    with server_database(url, f"{url.database}_{uuid4().hex[:8]}") as new_url:
        yield new_url


# Connections a test's code left open must not keep a database from being dropped.
DROP = {
    "postgresql": "DROP DATABASE IF EXISTS {name} WITH (FORCE)",
    "mysql": "DROP DATABASE IF EXISTS {name}",
}


def database_exists(connection: object, backend: str, name: str | None) -> bool:
    query = {
        "postgresql": "SELECT 1 FROM pg_database WHERE datname = :name",
        "mysql": "SELECT 1 FROM information_schema.schemata WHERE schema_name = :name",
    }[backend]
    return connection.execute(text(query), {"name": name}).first() is not None  # type: ignore[attr-defined]


def _no_sqlite_syncs(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = OFF")


def skip_sqlite_syncs() -> None:
    """Make every SQLite connection this process opens from now on skip the disk syncs."""
    if not event.contains(Pool, "connect", _no_sqlite_syncs):
        event.listen(Pool, "connect", _no_sqlite_syncs)
