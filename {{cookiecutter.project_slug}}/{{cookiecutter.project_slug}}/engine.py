"""Engine settings that fit each database, and what the app reads back from a pool.

Nothing here needs an app: the config calls :func:`normalise_url` and :func:`engine_options`,
and :mod:`.database` calls :func:`configure_engine` on each engine it creates.
"""

from __future__ import annotations

import os
import re
import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import QueuePool

from .pooler import timeout_connect_args

DRIVERS = {
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
    "sqlite": "sqlite",
}
EXAMPLE_URLS = (
    "sqlite:///app.db, postgresql+psycopg://user:password@localhost:5432/dbname "
    "or mysql+pymysql://user:password@localhost:3306/dbname"
)
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


class DatabaseURLError(ValueError):
    """``DATABASE_URL`` (or a bind's URL) cannot be used; the message shows the expected form."""


def mask_password(raw: str) -> str:
    """Hide the password of a URL that may not even parse."""
    return _PASSWORD.sub(r"\1***@", raw)


def normalise_url(raw: str, name: str = "DATABASE_URL") -> str:
    """Return ``raw`` with an explicit driver, as hosting platforms often leave it out.

    :raise DatabaseURLError: the URL does not parse or names a database we do not support.
    """
    try:
        url = make_url(raw.strip())
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise DatabaseURLError(
            f"{name}={mask_password(raw)!r} is not a database URL. Expected a form like "
            f"{EXAMPLE_URLS}."
        ) from None
    backend, _, driver = url.drivername.partition("+")
    if backend not in DRIVERS:
        raise DatabaseURLError(
            f"{name} uses {backend!r}, which this project does not support. Expected a form "
            f"like {EXAMPLE_URLS}."
        )
    if not driver:
        url = url.set(drivername=DRIVERS[backend])
    elif backend == "postgres":
        url = url.set(drivername=f"postgresql+{driver}")
    return url.render_as_string(hide_password=False)


def is_memory_sqlite(url: URL) -> bool:
    """In-memory SQLite gets a single shared connection and no pool limits."""
    database = url.database or ""
    return url.get_backend_name() == "sqlite" and (
        database in ("", ":memory:") or url.query.get("mode") == "memory"
    )


@dataclass(frozen=True)
class EngineSettings:
    """What the environment says about connections; each dialect takes what applies to it."""

    pool_size: int = 5
    max_overflow: int = 10
    pool_timeout: int = 10
    pool_recycle: int = 1800
    connect_timeout: int = 5
    statement_timeout_ms: int = 30_000
    pooler: str = "none"  # "transaction": a transaction pooler is in front (see .pooler)
    ping_idle_seconds: int = 5  # ping a connection idle this long before use (see .idle_ping)
    sqlite_busy_timeout_ms: int = 5_000
    application_name: str = "app"

    def pool(self) -> dict[str, Any]:
        return {
            "pool_size": self.pool_size,
            "max_overflow": self.max_overflow,
            "pool_timeout": self.pool_timeout,
            "pool_recycle": self.pool_recycle,
        }


# MySQL/MariaDB: refuse invalid data instead of truncating it, and keep times in UTC.
MYSQL_INIT_COMMAND = "SET SESSION sql_mode = 'TRADITIONAL', time_zone = '+00:00'"


def engine_options(raw_url: str, settings: EngineSettings) -> dict[str, Any]:
    """Engine keyword arguments that fit the database ``raw_url`` names."""
    url = make_url(raw_url)
    backend = url.get_backend_name()
    if is_memory_sqlite(url):
        return {}  # one shared connection (StaticPool): there is no pool to limit
    options = settings.pool()
    if backend == "sqlite":
        options["connect_args"] = {"timeout": settings.sqlite_busy_timeout_ms / 1000}
    elif backend == "postgresql":
        options["connect_args"] = {
            "connect_timeout": settings.connect_timeout,
            "application_name": settings.application_name,
            **timeout_connect_args(settings.pooler, settings.statement_timeout_ms),
        }
    elif backend == "mysql":
        options["connect_args"] = {
            "charset": "utf8mb4",
            "connect_timeout": settings.connect_timeout,
            "init_command": MYSQL_INIT_COMMAND,
        }
    return options


# -- engine events --------------------------------------------------------------------------

_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def configure_engine(engine: Engine) -> None:
    """Install connection events on a new engine and remember it for fork safety."""
    _ENGINES.add(engine)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)


def _configure_sqlite(engine: Engine) -> None:
    """Real transactions (so SAVEPOINT works), foreign keys, and WAL for file databases.

    The busy timeout comes from the ``timeout`` connect argument (see :func:`engine_options`).
    """
    file_database = not is_memory_sqlite(engine.url)

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Stop the driver from issuing BEGIN on its own; SQLAlchemy emits it below instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if file_database:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", on_begin)


def dispose_inherited_connections() -> None:
    """In a forked child, drop the parent's pooled connections without closing them."""
    for engine in list(_ENGINES):
        engine.dispose(close=False)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=dispose_inherited_connections)


def live_engines() -> list[Engine]:
    """Every engine the app has created in this process that is still in use."""
    return list(_ENGINES)


def pool_statistics(engine: Engine) -> dict[str, Any]:
    """A JSON-ready summary of a pool: its kind, and its limits and use where it has them."""
    pool = engine.pool
    stats: dict[str, Any] = {"pool": type(pool).__name__}
    if isinstance(pool, QueuePool):
        stats.update(
            checked_out=pool.checkedout(),
            size=pool.size(),
            checked_in=pool.checkedin(),
            overflow=pool.overflow(),
            timeout=pool.timeout(),
        )
    return stats
