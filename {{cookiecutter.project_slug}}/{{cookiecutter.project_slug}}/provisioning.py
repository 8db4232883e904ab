"""Create the database a URL names when its server does not have it yet (``flask init-db``).

SQLite makes a file database on first connect. PostgreSQL and MySQL/MariaDB need a
``CREATE DATABASE``, sent from the server's maintenance database, outside a transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

# Where to connect to create a database: ones every server has and every user may open.
MAINTENANCE_DATABASE = {"postgresql": "postgres", "mysql": "information_schema"}
LISTED = {
    "postgresql": text("SELECT 1 FROM pg_database WHERE datname = :name"),
    "mysql": text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :name"),
}
CREATE = {
    "postgresql": "CREATE DATABASE {}",
    "mysql": "CREATE DATABASE {} CHARACTER SET utf8mb4",
}
CONNECT_TIMEOUT = 5


class DatabaseCreationError(RuntimeError):
    """The database is missing and could not be created; the message says what to do."""


@contextmanager
def maintenance_connection(url: URL) -> Iterator[Connection]:
    """A connection to the server of ``url``, outside any database the app uses, that
    commits every statement on its own (``CREATE DATABASE`` refuses a transaction)."""
    backend = url.get_backend_name()
    server = create_engine(
        url.set(database=MAINTENANCE_DATABASE[backend]),
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
        connect_args={"connect_timeout": CONNECT_TIMEOUT},
    )
    try:
        with server.connect() as connection:
            yield connection
    finally:
        server.dispose()


def create_database(connection: Connection, name: str) -> None:
    """``CREATE DATABASE name``, with the name quoted as the server needs it."""
    quoted = connection.dialect.identifier_preparer.quote_identifier(name)
    try:
        connection.exec_driver_sql(CREATE[connection.dialect.name].format(quoted))
    except DBAPIError as error:
        raise DatabaseCreationError(
            f"The database {name} does not exist and could not be created ({error.orig}). "
            f"Create it as a user who may (CREATE DATABASE {quoted}), or point the URL at "
            "one that exists."
        ) from None


def create_missing_database(engine: Engine) -> bool:
    """Create the database ``engine`` connects to when its server does not have it.

    Returns whether it created one.

    :raise OperationalError: the server does not answer, or refuses for another reason.
    :raise DatabaseCreationError: the database is missing and the user may not create it.
    """
    try:
        with engine.connect():
            return False
    except OperationalError:
        name = engine.url.database
        if engine.dialect.name not in MAINTENANCE_DATABASE or not name:
            raise
        with maintenance_connection(engine.url) as connection:
            if connection.execute(LISTED[connection.dialect.name], {"name": name}).first():
                raise  # the database is there: the first error had another cause
            create_database(connection, name)
    return True
