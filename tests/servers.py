"""The database servers the baked suites run against: PostgreSQL and MariaDB on loopback.

Each run gets a database of its own, dropped afterwards. Where a server is missing the tests
skip, except in CI (``CI=true``), where a missing server fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

SERVERS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    "mysql": "mysql+pymysql://root@127.0.0.1:3306/mysql",
}


def server(database: str) -> Engine:
    """An engine on the server's maintenance database, outside any transaction."""
    return create_engine(SERVERS[database], isolation_level="AUTOCOMMIT", poolclass=NullPool)


def require_server(database: str) -> None:
    """Skip (or, in CI, fail) when the server for ``database`` does not answer."""
    try:
        with server(database).connect():
            pass
    except OperationalError as error:
        unavailable(f"{database} server at {SERVERS[database]} is not reachable: {error.orig}")


def unavailable(reason: str) -> None:
    """Skip for want of something the machine lacks; in CI (``CI=true``) fail instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def fresh_database(database: str, label: str = "t") -> Iterator[str]:
    """Create an empty database for one run; yield its URL; drop it afterwards.

    SQLite needs no server: the baked suite then makes a database file of its own.
    """
    if database == "sqlite":
        yield ""
        return
    require_server(database)
    name = f"fdt_{label}_{uuid.uuid4().hex[:10]}"
    engine = server(database)
    with engine.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield SERVERS[database].rsplit("/", 1)[0] + f"/{name}"
    finally:
        force = " WITH (FORCE)" if database == "postgresql" else ""
        with engine.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}{force}")
        engine.dispose()
