"""Fixtures: the app on real test databases, which every test finds empty.

The code under test runs as in production: it commits for real, on pools of real connections,
and may use ``db.engine.connect()`` like any other code.

- The run gets databases of its own, of the kind the project was made for (``databases.py``):
  ``TEST_DATABASE_URL`` (and ``TEST_DATABASE_URL_<NAME>`` for a bind) names the server.
- ``app`` is the app under test; its schema is created once, when the run starts.
- ``db`` gives the test body an app context of its own, of a second app on the same databases:
  a request made through ``client`` gets its own context and session, as in production. After
  each request the body's session forgets what it had read, so it sees what the request
  committed.
- After each test every table is emptied and its ids start again from 1 (``tables.py``).
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade

from {{ cookiecutter.project_slug }} import create_app
from {{ cookiecutter.project_slug }} import db as _db
from {{ cookiecutter.project_slug }}.config import TestingConfig

from .databases import new_database, run_database, skip_sqlite_syncs
from .guards import dispose, engines, leaked_connections, pending_changes, unseen_writes
from .tables import TableCleaner


class TestClient(FlaskClient):
    """After each request, the test body's session ends its transaction and forgets what it
    had loaded, so that it reads what the request committed."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        body_session = has_app_context() and _db.session.registry.has()
        if body_session and (pending := unseen_writes(_db.session)):
            raise RuntimeError(f"Commit the test's data ({pending}) before a request reads it.")
        response = super().open(*args, **kwargs)
        if body_session:
            _db.session.rollback()
            _db.session.expire_all()
        return response


class CliRunner(FlaskCliRunner):
    """Runs each command in a context of its own, as a shell would, not in the test body's."""

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().invoke, *args, **kwargs)


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """``TEST_DATABASE_URL*`` for this run: the default database and one per bind."""
    wanted = {
        "TEST_DATABASE_URL": os.environ.get("TEST_DATABASE_URL")
        or TestingConfig.DEFAULT_DATABASE_URL
    }
    for key in filter(None, _db.metadatas):
        variable = f"TEST_DATABASE_URL_{key.upper()}"
        wanted[variable] = os.environ.get(variable) or "sqlite://"
    folder = tmp_path_factory.mktemp("databases")
    skip_sqlite_syncs()
    with ExitStack() as stack:
        yield {
            name: stack.enter_context(run_database(name, url, folder))
            for name, url in wanted.items()
        }


def redis_url() -> str:
    """Where the tests' job queue lives (``TEST_REDIS_URL``): a Redis database per xdist worker."""
    if os.environ.get("TEST_REDIS_URL"):
        return os.environ["TEST_REDIS_URL"]
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    return f"redis://127.0.0.1:6379/{15 - worker % 15}"


@pytest.fixture(scope="session")
def built_apps() -> Iterator[list[Flask]]:
    """Every app the fixtures build, so their connections can be checked and closed."""
    apps: list[Flask] = []
    yield apps
    for app in apps:
        dispose(app)


@pytest.fixture(scope="session")
def build_app(database_urls: dict[str, str], built_apps: list[Flask]) -> Callable[..., Flask]:
    """Build an app on the run's databases; ``settings`` override environment variables."""

    def build(**settings: str) -> Flask:
        env = {**os.environ, **database_urls, "REDIS_URL": redis_url(), **settings}
        app = create_app(TestingConfig(env))
        app.test_client_class = TestClient
        app.test_cli_runner_class = CliRunner
        built_apps.append(app)
        return app

    return build


@pytest.fixture(scope="session")
def app(build_app: Callable[..., Flask]) -> Flask:
    """The app under test, with the schema created once for the whole run."""
    app = build_app()
    with app.app_context():
        _db.drop_all()  # tables an interrupted earlier run may have left behind
        _db.create_all()
    return app


@pytest.fixture(scope="session")
def test_body_app(app: Flask, build_app: Callable[..., Flask]) -> Flask:
    """A second app on the same databases, whose context the test body runs in."""
    return build_app()


@pytest.fixture(scope="session")
def table_cleaners(app: Flask) -> Iterator[list[TableCleaner]]:
    """One cleaner per database of the app: the default one and each bind's."""
    cleaners = [
        TableCleaner(engine, [table.name for table in _db.metadatas[key].sorted_tables])
        for key, engine in engines(app).items()
    ]
    yield cleaners
    for cleaner in cleaners:
        cleaner.close()


@pytest.fixture(autouse=True)
def _fresh_tables(table_cleaners: list[TableCleaner], built_apps: list[Flask]) -> Iterator[None]:
    """After each test: fail it if it left a connection checked out, then empty every table."""
    yield
    leaks = leaked_connections(built_apps)
    try:
        for cleaner in table_cleaners:
            cleaner.empty()  # may time out on a lock that a leaked connection holds
    finally:
        if leaks:
            pytest.fail("Connections left checked out (close them): " + "; ".join(leaks))


@pytest.fixture
def db(test_body_app: Flask) -> Iterator[Any]:
    """The ``db`` object, inside the test body's own app context."""
    with test_body_app.app_context():
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
def make_app(build_app: Callable[..., Flask]) -> Iterator[Callable[..., Flask]]:
    """Build extra apps (other settings, test-only routes), on the same databases unless the
    settings name others."""
    made: list[Flask] = []

    def make(**settings: str) -> Flask:
        made.append(build_app(**settings))
        with made[-1].app_context():
            _db.create_all()  # the tables exist already, unless the settings name a new database
        return made[-1]

    yield make
    for app in made:
        dispose(app)


@pytest.fixture
def committed_app(make_app: Callable[..., Flask]) -> Flask:
    """An app of its own, for tests that spread work over threads or processes."""
    return make_app()


@pytest.fixture
def empty_database_urls(database_urls: dict[str, str], tmp_path: Path) -> Iterator[dict[str, str]]:
    """``TEST_DATABASE_URL*`` of new databases with no tables, of the kinds under test (one
    for the app and one per bind); dropped afterwards."""
    with ExitStack() as stack:
        yield {
            name: stack.enter_context(new_database(url, tmp_path))
            for name, url in database_urls.items()
        }


@pytest.fixture
def empty_database_url(empty_database_urls: dict[str, str]) -> str:
    """The new, empty database of the app itself."""
    return empty_database_urls["TEST_DATABASE_URL"]


@pytest.fixture
def migration_app(
    build_app: Callable[..., Flask], empty_database_urls: dict[str, str]
) -> Iterator[Flask]:
    """An app on empty databases of its own, for migrations to run against."""
    app = build_app(**empty_database_urls)
    yield app
    dispose(app)


@pytest.fixture
def migrated_database_url(migration_app: Flask, empty_database_url: str) -> str:
    """The URL of a database upgraded to the newest migration."""
    with migration_app.app_context():
        upgrade()
    dispose(migration_app)
    return empty_database_url


@pytest.fixture(scope="session")
def metrics_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The metrics workers share, as gunicorn.conf.py sets it, before the library loads: once
    per run, since the library keeps writing where it first wrote."""
    directory = tmp_path_factory.mktemp("metrics")
    previous = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    import_module("{{ cookiecutter.project_slug }}.metrics")  # loads the library, as serving does
    yield directory
    if previous is None:
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = previous
