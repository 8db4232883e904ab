"""Engine settings that fit each database, and what the app reads back from a pool.

Nothing here needs an app: the config calls :func:`normalise_url` and :func:`engine_options`,
and :mod:`.database` calls :func:`configure_engine` on each engine it creates. SQLite's own
connection and transaction events live in :mod:`.sqlite`.
"""

from __future__ import annotations

import os
import re
import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import QueuePool

from .pooler import timeout_connect_args
from .sqlite import configure_sqlite, is_memory_sqlite

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
# What make_url raises for text that is not a URL (ValueError: a port that is not a number).
# A named tuple keeps one spelling of the except clause on every supported Python.
_UNPARSABLE = (ArgumentError, ValueError)


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
    except _UNPARSABLE:
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
    reads_without_transaction: bool = True  # a plain SELECT may run alone (see .reads)
    sqlite_busy_timeout_ms: int = 5_000
    application_name: str = "app"
    # Leave bound values (a card number, an email) out of error messages and so out of logs.
    hide_parameters: bool = True

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
    options: dict[str, Any] = {"hide_parameters": settings.hide_parameters}
    if is_memory_sqlite(url):
        return options  # one shared connection (StaticPool): there is no pool to limit
    options |= settings.pool()
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
        configure_sqlite(engine)


def dispose_inherited_connections() -> None:
    """In a forked child, drop the parent's pooled connections without closing them."""
    for engine in list(_ENGINES):
        engine.dispose(close=False)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=dispose_inherited_connections)


def close_pooled_connections() -> None:
    """Close every connection the pools of this process's engines hold."""
    for engine in list(_ENGINES):
        engine.dispose()


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
