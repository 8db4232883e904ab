"""``init-db`` creates the database its URL names when the server does not have it yet."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from uuid import uuid4

import pytest
from flask import Flask
from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.config import TestingConfig
from {{ cookiecutter.project_slug }}.provisioning import maintenance_connection

from .environments import built_app

# A user who may log in but not create databases, and how to remove it again (the MySQL
# driver formats % even without parameters, so any host is written %%).
CREATE_USER = {"postgresql": "CREATE ROLE {} LOGIN", "mysql": "CREATE USER {}@'%%'"}
DROP_USER = {"postgresql": "DROP ROLE IF EXISTS {}", "mysql": "DROP USER IF EXISTS {}@'%%'"}


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


def app_on(url: URL) -> AbstractContextManager[Flask]:
    """An app whose database is ``url``; its connections are closed afterwards."""
    raw = url.render_as_string(hide_password=False)
    return built_app(TestingConfig({"TEST_DATABASE_URL": raw}))


@pytest.fixture
def unprivileged(missing_database: URL) -> Iterator[URL]:
    """``missing_database`` as seen by a new user who may not create databases."""
    user = f"init_db_{uuid4().hex[:10]}"
    with maintenance_connection(missing_database) as connection:
        statements = (CREATE_USER[connection.dialect.name], DROP_USER[connection.dialect.name])
        try:
            connection.exec_driver_sql(statements[0].format(user))
        except DBAPIError as error:
            pytest.skip(f"the test user may not create users: {error.orig}")
    yield missing_database.set(username=user, password="")
    with maintenance_connection(missing_database) as connection:
        connection.exec_driver_sql(statements[1].format(user))


def test_init_db_creates_a_missing_database_and_its_tables(missing_database: URL) -> None:
    with app_on(missing_database) as app:
        runner = app.test_cli_runner()
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        created = f"Created the database {missing_database.database} on {missing_database.host}."
        assert created in result.output.splitlines()
        with app.app_context():
            assert inspect(db.engine).has_table("users")
        again = runner.invoke(args=["init-db"])
    assert again.exit_code == 0, again.output
    assert "Created" not in again.output


def test_init_db_says_in_one_line_how_to_create_what_it_may_not(unprivileged: URL) -> None:
    with app_on(unprivileged) as app:
        result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith(f"Error: The database {unprivileged.database} does not exist")
    assert "CREATE DATABASE" in line
