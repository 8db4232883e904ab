"""Every connection gets the settings its database needs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.config import DevelopmentConfig, TestingConfig
from {{ cookiecutter.project_slug }}.engine import (
    MYSQL_INIT_COMMAND,
    EngineSettings,
    engine_options,
    normalise_url,
)

from .environments import built_app


def scalar(app: Flask, sql: str) -> Any:
    with app.app_context(), db.engine.connect() as connection:
        return connection.execute(text(sql)).scalar()


def dialect(app: Flask) -> str:
    with app.app_context():
        return db.engine.dialect.name


@pytest.fixture
def sqlite_file_app(tmp_path: Path) -> Iterator[Flask]:
    with built_app(TestingConfig({"TEST_DATABASE_URL": f"sqlite:///{tmp_path / 'f.db'}"})) as app:
        yield app


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [("journal_mode", "wal"), ("foreign_keys", 1), ("busy_timeout", 5000)],
)
def test_sqlite_file_connections(sqlite_file_app: Flask, pragma: str, expected: Any) -> None:
    assert scalar(sqlite_file_app, f"PRAGMA {pragma}") == expected


def test_sqlite_savepoints_are_real(sqlite_file_app: Flask) -> None:
    with sqlite_file_app.app_context(), db.engine.connect() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.commit()
        with connection.begin():
            connection.execute(text("INSERT INTO t VALUES (1)"))
            savepoint = connection.begin_nested()
            connection.execute(text("INSERT INTO t VALUES (2)"))
            savepoint.rollback()
        assert connection.execute(text("SELECT x FROM t")).scalars().all() == [1]


def test_in_memory_sqlite_enforces_foreign_keys() -> None:
    with built_app(TestingConfig({"TEST_DATABASE_URL": "sqlite://"})) as app:
        assert scalar(app, "PRAGMA foreign_keys") == 1


@pytest.fixture
def server_app(make_app: Callable[..., Flask]) -> Flask:
    """The app on the database under test; skipped where that is SQLite."""
    app = make_app()
    if dialect(app) == "sqlite":
        pytest.skip("needs TEST_DATABASE_URL on a database server")
    return app


def test_postgresql_sessions_carry_a_name_and_a_statement_timeout(server_app: Flask) -> None:
    if dialect(server_app) != "postgresql":
        pytest.skip("PostgreSQL only")
    assert scalar(server_app, "SHOW application_name") == "{{ cookiecutter.project_slug }}"
    assert scalar(server_app, "SHOW statement_timeout") == "30s"


def test_mysql_sessions_are_strict_utf8mb4_and_utc(server_app: Flask) -> None:
    if dialect(server_app) != "mysql":
        pytest.skip("MySQL/MariaDB only")
    assert "STRICT_TRANS_TABLES" in scalar(server_app, "SELECT @@SESSION.sql_mode")
    assert scalar(server_app, "SELECT @@character_set_client") == "utf8mb4"
    assert scalar(server_app, "SELECT @@SESSION.time_zone") == "+00:00"


def test_server_connections_are_recycled(server_app: Flask) -> None:
    with server_app.app_context():
        pool: Any = db.engine.pool
        assert pool._recycle == 1800


@pytest.mark.parametrize(
    ("url", "connect_args"),
    [
        ("sqlite:///app.db", {"timeout": 5.0}),
        (
            "postgresql+psycopg://u@h/d",
            {
                "connect_timeout": 5,
                "application_name": "app",
                "options": "-c statement_timeout=30000",
            },
        ),
        (
            "mysql+pymysql://u@h/d",
            {"charset": "utf8mb4", "connect_timeout": 5, "init_command": MYSQL_INIT_COMMAND},
        ),
    ],
)
def test_engine_options_fit_the_dialect(url: str, connect_args: dict[str, Any]) -> None:
    options = engine_options(url, EngineSettings())
    assert options["pool_size"] == 5
    assert options["connect_args"].keys() == connect_args.keys()


def test_extra_databases_become_binds_with_their_own_options() -> None:
    config = DevelopmentConfig(
        {"DATABASE_URL": "sqlite:///main.db", "DATABASE_URL_ANALYTICS": "postgres://u@h/a"}
    )
    bind = config.SQLALCHEMY_BINDS["analytics"]
    assert bind["url"] == "postgresql+psycopg://u@h/a"
    assert bind["connect_args"]["application_name"] == "{{ cookiecutter.project_slug }}"
    assert bind["pool_size"] == 5


def test_tests_never_use_the_configured_databases() -> None:
    config = TestingConfig(
        {"DATABASE_URL": "postgresql://u@prod/app", "DATABASE_URL_ANALYTICS": "mysql://u@prod/a"}
    )
    assert normalise_url(TestingConfig.DEFAULT_DATABASE_URL) == config.SQLALCHEMY_DATABASE_URI
    assert config.SQLALCHEMY_BINDS["analytics"]["url"] == "sqlite://"
