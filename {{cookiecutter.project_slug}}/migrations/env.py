"""Alembic environment: one migration history that covers every database bind.

Each revision has an ``upgrade_<bind>()`` and ``downgrade_<bind>()`` pair per bind; the
default database is called ``default``. Binds come from the app (``SQLALCHEMY_BINDS``).
Migrations run under their own limits (:func:`limit_migration`), not the web's.
"""

from __future__ import annotations

import logging
import math
from logging.config import fileConfig
from typing import Any

from alembic import context
from flask import current_app
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from {{ cookiecutter.project_slug }}.cli import reported

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_extension = current_app.extensions["migrate"]
db = migrate_extension.db
DEFAULT = "default"


def bind_names() -> list[str]:
    """The default database first, then every extra bind in a stable order."""
    return [DEFAULT, *sorted(key for key in db.engines if key)]


def bind_key(name: str) -> str | None:
    return None if name == DEFAULT else name


def metadata_for(name: str) -> MetaData:
    """The tables that live in a bind (empty when no model uses it yet)."""
    return db.metadatas.get(bind_key(name)) or MetaData()


def skip_empty_revisions(context_: Any, revision: Any, directives: list[Any]) -> None:
    """``flask db migrate`` writes nothing when no bind has a change."""
    if getattr(config.cmd_opts, "autogenerate", False):
        script = directives[0]
        if all(ops.is_empty() for ops in script.upgrade_ops_list):
            directives[:] = []
            logger.info("No changes in schema detected.")


def configure(name: str, **options: Any) -> None:
    extra = dict(migrate_extension.configure_args)
    # Alembic calls the hook after each bind; only after the last one are all changes known.
    if name == bind_names()[-1]:
        extra.setdefault("process_revision_directives", skip_empty_revisions)
    context.configure(
        target_metadata=metadata_for(name),
        upgrade_token=f"{name}_upgrades",
        downgrade_token=f"{name}_downgrades",
        **options,
        **extra,
    )


def limit_migration(connection: Connection) -> None:
    """Lift the web's statement timeout and bound how long a migration waits for a lock.

    A migration may take long (a backfill, an index), but DDL queued behind another session's
    lock blocks every query on that table while it waits; failing fast lets the release retry.
    PostgreSQL: ``SET LOCAL``, so the limits end with the migration's transaction (and hold
    behind a transaction pooler). MySQL/MariaDB run DDL outside transactions, so the lock waits
    are bounded for the session, on a connection detached from the pool: it closes afterwards.
    """
    statement_ms = int(current_app.config["MIGRATION_STATEMENT_TIMEOUT_MS"])
    lock_ms = int(current_app.config["MIGRATION_LOCK_TIMEOUT_MS"])
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {statement_ms}")
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {lock_ms}")
    elif connection.dialect.name == "mysql" and lock_ms:
        seconds = math.ceil(lock_ms / 1000)  # MySQL counts whole seconds
        connection.detach()
        connection.exec_driver_sql(
            f"SET SESSION lock_wait_timeout = {seconds}, innodb_lock_wait_timeout = {seconds}"
        )


def run_migrations_offline() -> None:
    """Write the SQL of each bind to the output instead of running it."""
    for name in bind_names():
        url = db.engines[bind_key(name)].url.render_as_string(hide_password=False)
        logger.info("Migrating bind %s", name)
        configure(name, url=url, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations(engine_name=name)


def run_migrations_online() -> None:
    """Migrate every bind over its own connection, committing only when all succeeded."""
    with reported():  # a database that does not answer: one line, not a traceback
        connections = {name: db.engines[bind_key(name)].connect() for name in bind_names()}
    transactions = {name: connection.begin() for name, connection in connections.items()}
    try:
        for name, connection in connections.items():
            logger.info("Migrating bind %s", name)
            limit_migration(connection)
            configure(name, connection=connection)
            context.run_migrations(engine_name=name)
        for transaction in transactions.values():
            transaction.commit()
    except BaseException:
        for transaction in transactions.values():
            transaction.rollback()
        raise
    finally:
        for connection in connections.values():
            connection.close()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
