"""What ``db-status`` reports, and the start-up check that pools fit the server."""

from __future__ import annotations

from typing import Any

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy.engine import Connection, Engine

from .database import db
from .engine import pool_statistics

MAX_CONNECTIONS_SQL = {
    "postgresql": "SHOW max_connections",
    "mysql": "SELECT @@max_connections",
}
# Connections PostgreSQL keeps for superusers, beyond what applications can use.
RESERVED_CONNECTIONS = {"postgresql": 3}


def max_connections(connection: Connection) -> int | None:
    """How many client connections the server accepts (None where there is no limit)."""
    sql = MAX_CONNECTIONS_SQL.get(connection.dialect.name)
    if sql is None:
        return None
    limit = int(connection.exec_driver_sql(sql).scalar_one())
    return limit - RESERVED_CONNECTIONS.get(connection.dialect.name, 0)


def pool_capacity_problem(app: Flask, engine: Engine, server_limit: int | None) -> str | None:
    """Say how to fix pools that could open more connections than the server allows."""
    settings = app.config["ENGINE_SETTINGS"]
    workers = app.config["WEB_CONCURRENCY"]
    per_worker = settings.pool_size + settings.max_overflow
    worst_case = workers * per_worker
    if server_limit is None or engine.pool.__class__.__name__ != "QueuePool":
        return None
    if worst_case <= server_limit:
        return None
    return (
        f"{workers} workers x (DB_POOL_SIZE {settings.pool_size} + DB_MAX_OVERFLOW "
        f"{settings.max_overflow}) = {worst_case} connections at worst, but the server accepts "
        f"{server_limit}. Lower WEB_CONCURRENCY, DB_POOL_SIZE or DB_MAX_OVERFLOW, or raise the "
        "server's max_connections."
    )


def idle_limit(connection: Connection) -> int | None:
    """Seconds the server keeps an idle connection open (MySQL's ``wait_timeout``)."""
    if connection.dialect.name != "mysql":
        return None
    return int(connection.exec_driver_sql("SELECT @@SESSION.wait_timeout").scalar_one())


def pool_recycle_problem(app: Flask, server_idle_limit: int | None) -> str | None:
    """Say how to fix a pool that keeps connections longer than the server does."""
    recycle = app.config["ENGINE_SETTINGS"].pool_recycle
    if server_idle_limit is None or recycle < server_idle_limit:
        return None
    return (
        f"DB_POOL_RECYCLE is {recycle} s, but the server closes connections idle for "
        f"{server_idle_limit} s (wait_timeout). Set DB_POOL_RECYCLE below {server_idle_limit}."
    )


def check_pools(app: Flask) -> list[str]:
    """Warn (in the log) about pools that could exhaust a server or outlive its connections."""
    problems = []
    with app.app_context():
        for key, engine in db.engines.items():
            name = key or "default"
            try:
                with engine.connect() as connection:
                    limit, idle = max_connections(connection), idle_limit(connection)
            except Exception as error:  # the app still starts; readiness will report it
                app.logger.warning("Could not check the pool of %s: %s", name, error)
                continue
            found = [pool_capacity_problem(app, engine, limit), pool_recycle_problem(app, idle)]
            for problem in filter(None, found):
                app.logger.warning("Pool settings for %s: %s", name, problem)
                problems.append(problem)
    return problems


def migration_heads(app: Flask) -> tuple[str, ...]:
    """The newest revisions in the migrations folder."""
    config = AlembicConfig()
    config.set_main_option("script_location", app.config["MIGRATIONS_DIR"])
    return tuple(ScriptDirectory.from_config(config).get_heads())


def database_status(app: Flask, key: str | None, engine: Engine) -> dict[str, Any]:
    """A report on one database: where it is, what it runs, how migrated, its pool."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
        limit = max_connections(connection)
        idle = idle_limit(connection)
        version = connection.dialect.server_version_info
    heads = migration_heads(app)
    return {
        "bind": key or "default",
        "url": engine.url.render_as_string(hide_password=True),
        "dialect": f"{engine.dialect.name}+{engine.dialect.driver}",
        "server_version": ".".join(str(part) for part in version or ()),
        "revision": ", ".join(current) or "none",
        "head": ", ".join(heads) or "none",
        "up_to_date": set(current) == set(heads),
        "max_connections": limit,
        "pool": pool_statistics(engine),
        "capacity_warning": pool_capacity_problem(app, engine, limit),
        "recycle_warning": pool_recycle_problem(app, idle),
    }
