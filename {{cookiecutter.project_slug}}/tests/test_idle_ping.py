"""Pooled connections are pinged only after sitting idle; a dead one is replaced."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from {{ cookiecutter.project_slug }} import db

from .probes import KILL_CONNECTION, OWN_CONNECTION_ID


def counted_pings(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record each ping the app's engine sends from now on."""
    with app.app_context():
        dialect = db.engine.dialect
    pings: list[object] = []
    real_ping = dialect.do_ping

    def ping(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", ping)
    return pings


def test_a_connection_in_steady_use_is_never_pinged(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(DB_PING_IDLE_SECONDS="60")
    pings = counted_pings(app, monkeypatch)
    client = app.test_client()
    assert [client.get("/api/users").status_code for _ in range(5)] == [200] * 5
    assert pings == []


def test_a_connection_idle_past_the_window_is_pinged_before_use(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(DB_PING_IDLE_SECONDS="1")
    pings = counted_pings(app, monkeypatch)
    client = app.test_client()
    assert client.get("/api/users").status_code == 200
    time.sleep(1.1)
    assert client.get("/api/users").status_code == 200
    assert len(pings) == 1


@pytest.fixture
def server_app(make_app: Callable[..., Flask]) -> Iterator[tuple[Flask, Callable[[], None]]]:
    """An app on a database server with ``/own-id``, and a function that makes the server end
    the connection that answered it last (as a restart or an idle timeout would)."""
    app = make_app(DB_PING_IDLE_SECONDS="1")
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect == "sqlite":
        pytest.skip("needs TEST_DATABASE_URL on a database server")
    answered: list[int] = []

    @app.get("/own-id")
    def own_id() -> dict[str, int]:
        answered.append(db.session.execute(text(OWN_CONNECTION_ID[dialect])).scalar_one())
        return {"id": answered[-1]}

    outside = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)

    def end_last_connection() -> None:
        with outside.connect() as connection:
            connection.execute(text(KILL_CONNECTION[dialect]), {"id": answered[-1]})

    yield app, end_last_connection
    outside.dispose()


def test_a_connection_ended_while_idle_is_replaced_unseen(
    server_app: tuple[Flask, Callable[[], None]],
) -> None:
    app, end_last_connection = server_app
    client = app.test_client()
    first = client.get("/own-id").json["id"]  # type: ignore[index]
    end_last_connection()
    time.sleep(1.1)
    response = client.get("/own-id")
    assert response.status_code == 200
    assert response.json["id"] != first  # type: ignore[index]


def test_a_connection_ended_within_the_window_fails_one_request_with_503(
    server_app: tuple[Flask, Callable[[], None]],
) -> None:
    app, end_last_connection = server_app
    client = app.test_client()
    assert client.get("/own-id").status_code == 200
    end_last_connection()
    assert client.get("/own-id").status_code == 503
    assert [client.get("/own-id").status_code for _ in range(3)] == [200] * 3
