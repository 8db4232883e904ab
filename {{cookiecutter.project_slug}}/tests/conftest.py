"""Fixtures: an app on the test database, and a database each test finds empty.

``TEST_DATABASE_URL`` picks the database (in-memory SQLite when unset). The schema is created
once per run from the models; each test then runs inside an outer transaction on every engine
that is rolled back when it ends. The app's sessions join that transaction through SAVEPOINTs,
so the code under test commits for real (a commit releases a savepoint) and still nothing it
writes survives the test. MySQL/MariaDB cannot roll back DDL, which is why the schema is created
once, outside any test, and tests never run DDL on the shared schema.

Requests made through ``client`` (and commands through ``runner``) run in their own app
context, as in production, even while the test body has one pushed: each gets a fresh session
that is removed when it ends.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, cast
from uuid import uuid4

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import create_engine, delete
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from {{ cookiecutter.project_slug }} import create_app
from {{ cookiecutter.project_slug }} import db as _db
from {{ cookiecutter.project_slug }}.config import TestingConfig
from {{ cookiecutter.project_slug }}.engine import normalise_url

from .guards import leaked_connections, pending_changes

# Sessions bound to a connection that is already in a transaction use SAVEPOINTs for their own
# begin/commit/rollback. Sessions bound to an engine (every session outside tests) ignore this.
_db.session.session_factory.configure(join_transaction_mode="create_savepoint")


class IsolatedClient(FlaskClient):
    """A test client whose requests never reuse the test's app context."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


class IsolatedCliRunner(FlaskCliRunner):
    """A CLI runner whose commands never reuse the test's app context."""

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().invoke, *args, **kwargs)


def build_app(**settings: str) -> Flask:
    """An app on the test database; ``settings`` override environment variables.

    Every bind a model uses gets a database: ``TEST_DATABASE_URL_<NAME>``, or in-memory SQLite.
    """
    env = {**os.environ, **settings}
    for key in _db.metadatas:
        if key and not env.get(f"TEST_DATABASE_URL_{key.upper()}"):
            env[f"TEST_DATABASE_URL_{key.upper()}"] = "sqlite://"
    app = create_app(TestingConfig(env))
    app.test_client_class = IsolatedClient
    app.test_cli_runner_class = IsolatedCliRunner
    return app


def app_engines(app: Flask) -> dict[str | None, Any]:
    """The app's own bind-key → engine map (Flask-SQLAlchemy reads binds from it)."""
    with app.app_context():
        return cast(dict[str | None, Any], _db.engines)


@contextmanager
def rolled_back(app: Flask, create_schema: bool = False) -> Iterator[None]:
    """Swap each engine of ``app`` for a connection in a transaction rolled back at the end.

    ``create_schema`` creates missing tables inside that transaction (a fresh in-memory SQLite
    database starts with none); where they exist already it changes nothing.
    """
    engines = app_engines(app)
    originals: dict[str | None, Engine] = dict(engines)
    connections: dict[str | None, Connection] = {}
    try:
        for key, engine in originals.items():
            connections[key] = engine.connect()
            connections[key].begin()
        engines.update(connections)
        if create_schema:
            with app.app_context():
                _db.create_all()
        yield
    finally:
        engines.update(originals)
        for connection in connections.values():
            connection.rollback()
            connection.close()


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    """The app under test, with the schema created once for the whole run."""
    app = build_app()
    with app.app_context():
        _db.drop_all()  # tables a crashed earlier run may have left behind
        _db.create_all()
    yield app
    with app.app_context():
        _db.drop_all()
        for engine in _db.engines.values():
            engine.dispose()


@pytest.fixture
def db(app: Flask) -> Iterator[Any]:
    """The ``db`` object, inside an app context, on a database that starts and ends empty."""
    with rolled_back(app), app.app_context():
        yield _db
        leftover = pending_changes(_db.session) if _db.session.registry.has() else None
        _db.session.remove()
    if leftover:
        pytest.fail(f"The test left uncommitted changes in its session: {leftover}.")


@pytest.fixture
def client(app: Flask, db: Any) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask, db: Any) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_app() -> Iterator[Callable[..., Flask]]:
    """Build extra apps (other settings, test-only routes), each isolated like ``db``."""
    with ExitStack() as stack:

        def make(**settings: str) -> Flask:
            new_app = build_app(**settings)
            stack.callback(dispose, new_app)
            stack.enter_context(rolled_back(new_app, create_schema=True))
            return new_app

        yield make


@pytest.fixture
def make_committed_app(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build apps whose commits are real, for work spread over threads or connections.

    Their tables are emptied afterwards. In-memory SQLite has a single connection, so these
    apps use a file database instead.
    """
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'committed.db'}"
    with ExitStack() as stack:

        def make(**settings: str) -> Flask:
            new_app = build_app(**{"TEST_DATABASE_URL": url, **settings})
            with new_app.app_context():
                _db.create_all()
            stack.callback(empty_and_dispose, new_app)
            return new_app

        yield make


@pytest.fixture
def committed_app(make_committed_app: Callable[..., Flask]) -> Flask:
    return make_committed_app()


def empty_and_dispose(app: Flask) -> None:
    with app.app_context():
        for table in reversed(_db.metadata.sorted_tables):
            _db.session.execute(delete(table))
        _db.session.commit()
        _db.session.remove()
    dispose(app)


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A new database with no tables, of the kind under test; dropped afterwards."""
    base = make_url(normalise_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://"))
    if base.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"{base.database}_{uuid4().hex[:8]}"
    server = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with server.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        server.dispose()


@pytest.fixture
def migration_app(empty_database_url: str) -> Iterator[Flask]:
    """An app on an empty database of its own, for migrations to run against."""
    new_app = build_app(TEST_DATABASE_URL=empty_database_url)
    yield new_app
    dispose(new_app)


@pytest.fixture
def migrated_database_url(migration_app: Flask, empty_database_url: str) -> str:
    """The URL of a database upgraded to the newest migration."""
    with migration_app.app_context():
        upgrade()
    dispose(migration_app)
    return empty_database_url


@pytest.fixture(autouse=True)
def _no_leaked_connections(app: Flask) -> Iterator[None]:
    """Fail any test that leaves a database connection checked out of a pool."""
    yield
    leaks = leaked_connections()
    if leaks:
        pytest.fail("Connections left checked out: " + "; ".join(leaks))


def dispose(app: Flask) -> None:
    for engine in app_engines(app).values():
        engine.dispose()
