"""Behind a transaction pooler (``DB_POOLER=transaction``) nothing outlives a transaction: no
start-up options, no prepared statements, and the statement timeout set by each transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.config import Config, ConfigError
from {{ cookiecutter.project_slug }}.engine import EngineSettings, engine_options

from .guards import listening

POSTGRESQL = "postgresql+psycopg://u@h/d"
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement the timeout cancelled
# The session's own value (what RESET would give), whatever the current transaction set.
CONNECTION_TIMEOUT = text("SELECT reset_val FROM pg_settings WHERE name = 'statement_timeout'")


def connect_args(settings: EngineSettings) -> dict[str, Any]:
    return dict(engine_options(POSTGRESQL, settings)["connect_args"])


def test_without_a_pooler_the_timeout_is_a_startup_option() -> None:
    args = connect_args(EngineSettings(statement_timeout_ms=1234))
    assert args["options"] == "-c statement_timeout=1234"
    assert "prepare_threshold" not in args


def test_behind_a_pooler_connections_carry_no_options_and_prepare_nothing() -> None:
    args = connect_args(EngineSettings(statement_timeout_ms=1234, pooler="transaction"))
    assert "options" not in args
    assert args["prepare_threshold"] is None


@pytest.mark.parametrize("pooler", ["none", "transaction"])
def test_a_timeout_of_zero_sets_none(pooler: str) -> None:
    assert "options" not in connect_args(EngineSettings(statement_timeout_ms=0, pooler=pooler))


@pytest.mark.parametrize(
    ("raw", "pooler"), [("", "none"), ("none", "none"), ("Transaction", "transaction")]
)
def test_db_pooler_names_the_pooler_in_front(raw: str, pooler: str) -> None:
    assert Config({"DB_POOLER": raw}).ENGINE_SETTINGS.pooler == pooler


def test_an_unknown_pooler_is_refused_with_the_choices() -> None:
    with pytest.raises(ConfigError, match="DB_POOLER='session' is not one of: none, transaction"):
        Config({"DB_POOLER": "session"})


@pytest.fixture
def pooled_app(make_app: Callable[..., Flask]) -> Flask:
    """An app set up for a transaction pooler, with a short statement timeout."""
    app = make_app(DB_POOLER="transaction", DB_STATEMENT_TIMEOUT_MS="250")
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only")
    return app


def test_behind_a_pooler_each_transaction_sets_the_statement_timeout(pooled_app: Flask) -> None:
    with pooled_app.app_context():
        for _ in range(2):
            assert db.session.scalar(text("SHOW statement_timeout")) == "250ms"
            assert db.session.scalar(CONNECTION_TIMEOUT) != "250"  # the transaction's, only
            db.session.commit()


def test_behind_a_pooler_the_statement_timeout_cuts_a_long_read(pooled_app: Flask) -> None:
    with pooled_app.app_context():
        with pytest.raises(OperationalError) as raised:
            db.session.execute(text("SELECT pg_sleep(5)"))
        db.session.rollback()
    assert getattr(raised.value.orig, "sqlstate", None) == QUERY_CANCELED


def test_behind_a_pooler_a_get_that_only_reads_sets_the_timeout_in_its_own_transaction(
    pooled_app: Flask,
) -> None:
    """The read runs alone (``lone_reads.py``): the timeout is set first, on its connection."""
    with pooled_app.app_context():
        engine = db.engine
    sent: list[str] = []
    sessions: list[object] = []
    with (
        listening(engine, before_cursor_execute=lambda _c, _k, sql, *_: sent.append(sql)),
        listening(db.session.session_factory, after_begin=lambda *args: sessions.append(args)),
    ):
        assert pooled_app.test_client().get("/api/users").status_code == 200
    assert sessions == []  # no session: the connection was the read's alone
    assert len(sent) == 3  # the timeout, the page and the total
    assert sent[0] == "SET LOCAL statement_timeout = 250"
