"""Log lines: text or JSON, each tagged with the request id; slow queries are logged."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from {{ cookiecutter.project_slug }} import config, db
from {{ cookiecutter.project_slug }}.config import ConfigError, DevelopmentConfig
from {{ cookiecutter.project_slug }}.logs import HANDLER_NAME

from .environments import built_app, production_app

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def capture_log() -> io.StringIO:
    """Point the log handler (the one the app built last installed) at a buffer."""
    handler = next(h for h in logging.getLogger().handlers if h.name == HANDLER_NAME)
    buffer = io.StringIO()
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    return buffer


def add_chatty_routes(app: Flask) -> None:
    @app.get("/chatty")
    def chatty() -> str:
        current_app.logger.warning("hello %s", "world", extra={"user_id": 7})
        return "ok"

    @app.get("/crash")
    def crash() -> str:
        raise RuntimeError("kaboom")


def json_lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_a_request_id_is_made_up_and_sent_back(client: FlaskClient) -> None:
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(first)
    assert first != second


def test_a_safe_request_id_from_the_caller_is_kept(client: FlaskClient) -> None:
    incoming = "edge-7f3a.42:b=c/d+e"
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] == incoming


@pytest.mark.parametrize("incoming", ["two words", "x" * 129, 'a"b', "<script>", "ü"])
def test_an_unsafe_request_id_is_replaced(client: FlaskClient, incoming: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])


def test_error_responses_carry_the_request_id(client: FlaskClient) -> None:
    response = client.get("/no/such/page", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "abc-123"


def test_text_lines_carry_the_request_id(make_app: Callable[..., Flask]) -> None:
    app = make_app(LOG_FORMAT="text")
    add_chatty_routes(app)
    log = capture_log()
    app.test_client().get("/chatty", headers={"X-Request-ID": "abc-123"})
    assert re.search(r"WARNING \[abc-123\] \S+: hello world$", log.getvalue(), re.MULTILINE)


def test_text_lines_outside_a_request_show_a_dash(make_app: Callable[..., Flask]) -> None:
    make_app(LOG_FORMAT="text")
    log = capture_log()
    logging.getLogger("outside").warning("no request here")
    assert "WARNING [-] outside: no request here" in log.getvalue()


def test_json_lines_parse_and_carry_the_request_id(make_app: Callable[..., Flask]) -> None:
    app = make_app(LOG_FORMAT="json")
    add_chatty_routes(app)
    log = capture_log()
    app.test_client().get("/chatty", headers={"X-Request-ID": "abc-123"})
    [line] = [line for line in json_lines(log) if line["message"] == "hello world"]
    assert line["level"] == "WARNING"
    assert line["request_id"] == "abc-123"
    assert line["user_id"] == 7  # passed as extra
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])


def test_a_crash_is_one_json_line_with_its_traceback(make_app: Callable[..., Flask]) -> None:
    app = make_app(LOG_FORMAT="json")
    add_chatty_routes(app)
    log = capture_log()
    response = app.test_client().get("/crash")
    [line] = [line for line in json_lines(log) if line["message"] == "Unhandled exception"]
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert "RuntimeError: kaboom" in line["exception"]


CARD_NUMBER = "4111111111111111"


def add_failing_payment(app: Flask) -> None:
    """A route whose statement fails, and that logs the failure as app code often does."""

    @app.get("/pay")
    def pay() -> str:
        statement = text("INSERT INTO no_such_payments (card) VALUES (:card)")
        try:
            db.session.execute(statement, {"card": CARD_NUMBER})
        except SQLAlchemyError:
            current_app.logger.exception("Payment failed")
            raise
        return "unreachable"


def test_production_logs_a_failed_statement_without_its_values() -> None:
    with production_app() as app:
        add_failing_payment(app)
        log = capture_log()
        app.test_client().get("/pay")
    [line] = [line for line in json_lines(log) if line["message"] == "Payment failed"]
    assert "no_such_payments" in line["exception"]  # the statement, to find the bug by
    assert CARD_NUMBER not in log.getvalue()


def test_development_shows_a_failed_statements_values() -> None:
    with built_app(DevelopmentConfig({"DATABASE_URL": "sqlite://", "LOG_FORMAT": "json"})) as app:
        add_failing_payment(app)
        log = capture_log()
        app.test_client().get("/pay")
    [line] = [line for line in json_lines(log) if line["message"] == "Payment failed"]
    assert CARD_NUMBER in line["exception"]


def test_production_logs_json_unless_told_otherwise() -> None:
    with production_app() as app:
        assert app.config["LOG_FORMAT"] == "json"
    with production_app(LOG_FORMAT="text") as app:
        assert app.config["LOG_FORMAT"] == "text"
    assert config.TestingConfig({}).LOG_FORMAT == "text"


@pytest.mark.parametrize(("name", "value"), [("LOG_FORMAT", "xml"), ("LOG_LEVEL", "loud")])
def test_unknown_log_settings_are_refused(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"{name}='{value}' is not one of"):
        config.TestingConfig({name: value})


def test_the_log_level_applies(make_app: Callable[..., Flask]) -> None:
    make_app(LOG_LEVEL="error")
    log = capture_log()
    logging.getLogger("quiet").warning("not shown")
    logging.getLogger("quiet").error("shown")
    assert "not shown" not in log.getvalue()
    assert "shown" in log.getvalue()


def test_slow_queries_are_logged_with_their_duration(make_app: Callable[..., Flask]) -> None:
    app = make_app(SLOW_QUERY_MS="0", LOG_FORMAT="json")
    log = capture_log()
    response = app.test_client().get("/readyz", headers={"X-Request-ID": "slow-1"})
    assert response.status_code == 200
    # /readyz pings every database once: one slow-query line each.
    pings = [line for line in json_lines(log) if line["message"].endswith("): SELECT 1")]
    with app.app_context():
        assert len(pings) == len(db.engines)
    for ping in pings:
        assert re.fullmatch(r"Slow query \(\d+\.\d ms\): SELECT 1", ping["message"])
        assert ping["duration_ms"] >= 0
        assert ping["request_id"] == "slow-1"


def test_fast_queries_are_not_logged(make_app: Callable[..., Flask]) -> None:
    app = make_app(SLOW_QUERY_MS="60000")
    log = capture_log()
    assert app.test_client().get("/readyz").status_code == 200
    assert "Slow query" not in log.getvalue()
