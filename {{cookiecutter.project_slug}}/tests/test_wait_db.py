"""``wait-db``: release steps wait for the database, but not for ever."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy.exc import OperationalError

from {{ cookiecutter.project_slug }} import cli, config, create_app, db

UNREACHABLE = "sqlite:////nonexistent/dir/app.db"


@pytest.fixture
def unreachable_app() -> Iterator[Flask]:
    app = create_app(config.TestingConfig({"TEST_DATABASE_URL": UNREACHABLE}))
    yield app
    with app.app_context():
        db.engine.dispose()


def refused() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("connection refused"))


def test_wait_db_returns_once_the_database_answers(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["wait-db", "--timeout", "0"])
    assert result.exit_code == 0, result.output
    assert "Database is ready (tries: 1)." in result.output


def test_wait_db_fails_after_the_timeout(unreachable_app: Flask) -> None:
    started = time.monotonic()
    result = unreachable_app.test_cli_runner().invoke(args=["wait-db", "--timeout", "0"])
    assert time.monotonic() - started < 5
    assert result.exit_code == 1
    assert "did not answer within 0s" in result.output
    assert "unable to open database file" in result.output


def test_a_migration_without_its_database_fails_in_one_line(unreachable_app: Flask) -> None:
    result = unreachable_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # no traceback
    assert "The database did not answer: unable to open database file" in result.output


def test_waiting_retries_until_the_database_answers(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    failures = [refused(), refused()]

    def ping() -> None:
        if failures:
            raise failures.pop()

    monkeypatch.setattr(cli, "ping_databases", ping)
    assert cli.wait_for_database(timeout=5, interval=0) == 3


def test_waiting_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    tries = []

    def ping() -> None:
        tries.append(time.monotonic())
        raise refused()

    monkeypatch.setattr(cli, "ping_databases", ping)
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="connection refused"):
        cli.wait_for_database(timeout=0.3, interval=0.05)
    assert 0.2 < time.monotonic() - started < 2
    assert len(tries) > 2
