"""Migrations build the schema the models describe, and undo it, under limits of their own."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from {{ cookiecutter.project_slug }} import create_app, db
from {{ cookiecutter.project_slug }}.config import TestingConfig


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(migration_app: Flask) -> None:
    with migration_app.app_context():
        upgrade()
        assert table_names() == set(db.metadata.tables)
        downgrade(revision="base")
        assert table_names() == set()
        upgrade()
        assert table_names() == set(db.metadata.tables)


def test_migrations_match_the_models(migration_app: Flask) -> None:
    with migration_app.app_context():
        upgrade()
        check()  # exits with status 1 when the models and the migrations disagree


def test_db_upgrade_command(migration_app: Flask) -> None:
    result = migration_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with migration_app.app_context():
        assert table_names() == set(db.metadata.tables)


# The only revision of a migration history made for one test: it runs the given statements.
REVISION = """\
from alembic import op

revision = "0001"
down_revision = None


def upgrade(engine_name: str) -> None:
    if engine_name == "default":
        for statement in {statements!r}:
            op.execute(statement)


def downgrade(engine_name: str) -> None:
    pass
"""
# The lock timeout of a connection, as its server counts it (MySQL in seconds).
LOCK_TIMEOUT = {
    "postgresql": "SELECT current_setting('lock_timeout')",
    "mysql": "SELECT CONCAT(@@SESSION.lock_wait_timeout, ' ', @@SESSION.innodb_lock_wait_timeout)",
}
SERVER_LOCK_TIMEOUT = {
    "postgresql": "SELECT reset_val FROM pg_settings WHERE name = 'lock_timeout'",
    "mysql": "SELECT CONCAT(@@GLOBAL.lock_wait_timeout, ' ', @@GLOBAL.innodb_lock_wait_timeout)",
}
LOCK_HELD_SECONDS = 6


def backend(url: str) -> str:
    return make_url(url).get_backend_name()


@pytest.fixture
def make_migrating_app(
    empty_database_urls: dict[str, str], tmp_path: Path
) -> Iterator[Callable[..., Flask]]:
    """Build an app on empty databases whose one migration runs ``statements``."""
    apps: list[Flask] = []

    def make(statements: list[str], **settings: str) -> Flask:
        folder = tmp_path / "migrations"
        (folder / "versions").mkdir(parents=True)
        for name in ("env.py", "alembic.ini"):
            shutil.copy(Path(TestingConfig({}).MIGRATIONS_DIR) / name, folder / name)
        revision = REVISION.format(statements=statements)
        (folder / "versions" / "0001_probe.py").write_text(revision, encoding="utf-8")
        env = {**os.environ, **empty_database_urls, **settings}
        apps.append(create_app(TestingConfig({**env, "MIGRATIONS_DIR": str(folder)})))
        return apps[-1]

    yield make
    for app in apps:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture
def postgresql_only(empty_database_url: str) -> None:
    if backend(empty_database_url) != "postgresql":
        pytest.skip("PostgreSQL only")


@pytest.mark.usefixtures("postgresql_only")
def test_a_migration_step_may_outlast_the_web_statement_timeout(
    make_migrating_app: Callable[..., Flask],
) -> None:
    statements = ["SELECT pg_sleep(0.6)", "CREATE TABLE done (id integer)"]
    app = make_migrating_app(statements, DB_STATEMENT_TIMEOUT_MS="200")
    with app.app_context():
        upgrade()
        assert table_names() == {"done"}


@pytest.mark.usefixtures("postgresql_only")
def test_migrations_have_a_statement_timeout_of_their_own(
    make_migrating_app: Callable[..., Flask],
) -> None:
    statements = ["CREATE TABLE done (id integer)", "SELECT pg_sleep(0.6)"]
    app = make_migrating_app(statements, MIGRATION_STATEMENT_TIMEOUT_MS="200")
    with app.app_context():
        with pytest.raises(OperationalError, match="statement timeout"):
            upgrade()
        assert table_names() == set()  # the whole upgrade was rolled back


@pytest.fixture
def busy_table(empty_database_url: str) -> Iterator[None]:
    """A table ``busy`` that another session reads in a transaction it keeps open for a while."""
    if backend(empty_database_url) == "sqlite":
        pytest.skip("SQLite has no lock timeout; its writers wait DB_BUSY_TIMEOUT_MS")
    engine = create_engine(empty_database_url, poolclass=NullPool)
    with engine.connect() as holder:
        holder.execute(text("CREATE TABLE busy (id integer)"))
        holder.commit()
        holder.execute(text("SELECT * FROM busy"))  # holds a lock that DDL on busy waits for
        release = threading.Timer(LOCK_HELD_SECONDS, holder.rollback)
        release.start()
        try:
            yield
        finally:
            release.join()
    engine.dispose()


@pytest.mark.usefixtures("busy_table")
def test_a_migration_waiting_for_a_lock_gives_up(
    make_migrating_app: Callable[..., Flask],
) -> None:
    statements = ["ALTER TABLE busy ADD COLUMN note VARCHAR(10)"]
    app = make_migrating_app(statements, MIGRATION_LOCK_TIMEOUT_MS="500")
    started = time.monotonic()
    with app.app_context(), pytest.raises(OperationalError, match=r"(?i)lock (wait )?timeout"):
        upgrade()
    assert time.monotonic() - started < LOCK_HELD_SECONDS - 2


def test_a_migrations_limits_end_with_it(
    make_migrating_app: Callable[..., Flask], empty_database_url: str
) -> None:
    kind = backend(empty_database_url)
    if kind == "sqlite":
        pytest.skip("SQLite has no lock timeout")
    probe = f"CREATE TABLE probe AS {LOCK_TIMEOUT[kind]} AS lock_timeout"
    app = make_migrating_app([probe], MIGRATION_LOCK_TIMEOUT_MS="1500")
    with app.app_context():
        upgrade()
        during = db.session.scalar(text("SELECT lock_timeout FROM probe"))
        after = db.session.scalar(text(LOCK_TIMEOUT[kind]))
        server = db.session.scalar(text(SERVER_LOCK_TIMEOUT[kind]))
        db.session.rollback()
    assert during == {"postgresql": "1500ms", "mysql": "2 2"}[kind]
    assert after == server
