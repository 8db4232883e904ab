"""``init-db`` creates the database its URL names when the server does not have it yet."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest
from flask import Flask
from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from {{ cookiecutter.project_slug }} import create_app, db
from {{ cookiecutter.project_slug }}.config import TestingConfig
from {{ cookiecutter.project_slug }}.provisioning import maintenance_connection


def drop_database(url: URL) -> None:
    with maintenance_connection(url) as connection:
        name = connection.dialect.identifier_preparer.quote_identifier(str(url.database))
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")


@pytest.fixture
def missing_database() -> Iterator[URL]:
    """A database name that the test server does not have; dropped again afterwards."""
    url = make_url(TestingConfig().SQLALCHEMY_DATABASE_URI)
    if url.get_backend_name() == "sqlite":
        pytest.skip("SQLite makes its database file itself; there is no server to ask")
    url = url.set(database=f"init_db_{uuid4().hex[:10]}")
    try:
        drop_database(url)  # also proves the server answers
    except OperationalError as error:
        pytest.skip(f"the database server does not answer: {error.orig}")
    yield url
    drop_database(url)


@pytest.fixture
def app_on(missing_database: URL) -> Iterator[Flask]:
    url = missing_database.render_as_string(hide_password=False)
    app = create_app(TestingConfig({"TEST_DATABASE_URL": url}))
    yield app
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


def test_init_db_creates_a_missing_database_and_its_tables(
    app_on: Flask, missing_database: URL
) -> None:
    runner = app_on.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    created = f"Created the database {missing_database.database} on {missing_database.host}."
    assert created in result.output.splitlines()
    with app_on.app_context():
        assert inspect(db.engine).has_table("users")
    again = runner.invoke(args=["init-db"])
    assert again.exit_code == 0, again.output
    assert "Created" not in again.output
