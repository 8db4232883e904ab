"""Reading requests send no BEGIN or ROLLBACK on PostgreSQL (``reads.py``), and that changes
nothing a GET that writes does, nor the statement timeout."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Blueprint, Flask, Response, jsonify
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.users.models import User

from .factories import UserFactory
from .probes import answer, count_emails

bp = Blueprint("read_probes", __name__, url_prefix="/api/read-probe")


@bp.get("/read-then-write/<int:status>")
def read_then_write(status: int) -> Response:
    db.session.scalar(select(func.count()).select_from(User))
    db.session.add(User(email=f"{status}@read.test", name="Reader"))
    db.session.flush()
    return answer(status)


@bp.get("/lock/<int:user_id>")
def lock(user_id: int) -> Response:
    db.session.scalar(select(User.id).where(User.id == user_id).with_for_update())
    return jsonify(in_transaction=in_transaction(db.session.connection()))


@bp.get("/sleep")
def sleep() -> Response:
    db.session.scalar(select(func.pg_sleep(2)))
    return jsonify(slept=True)


def in_transaction(connection: Any) -> bool:
    """Whether the driver has a transaction open on this connection (psycopg)."""
    return connection.connection.dbapi_connection.info.transaction_status != 0  # 0: IDLE


@contextmanager
def transaction_states(engine: Engine) -> Iterator[list[bool]]:
    """Whether a transaction was open after each statement ``engine`` ran in the block."""
    states: list[bool] = []

    def after(connection: Any, *_: Any) -> None:
        states.append(in_transaction(connection))

    event.listen(engine, "after_cursor_execute", after)
    try:
        yield states
    finally:
        event.remove(engine, "after_cursor_execute", after)


def postgresql_app(make_app: Callable[..., Flask], **settings: str) -> Flask:
    app = make_app(**settings)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only: elsewhere reads keep their transactions")
    app.register_blueprint(bp)
    return app


def test_a_read_by_id_sends_its_select_alone(make_app: Callable[..., Flask], db: Any) -> None:
    app = postgresql_app(make_app)
    user = UserFactory()
    db.session.commit()
    with app.app_context():
        engine = db.engine
    with transaction_states(engine) as states:
        assert app.test_client().get(f"/api/users/{user.id}").status_code == 200
    assert states == [False]  # one SELECT, run with no transaction around it


def test_a_select_for_update_in_a_get_runs_in_a_transaction(
    make_app: Callable[..., Flask], db: Any
) -> None:
    app = postgresql_app(make_app)
    user = UserFactory()
    db.session.commit()
    assert app.test_client().get(f"/api/read-probe/lock/{user.id}").json == {
        "in_transaction": True
    }


def test_the_statement_timeout_bounds_a_read(make_app: Callable[..., Flask]) -> None:
    app = postgresql_app(make_app, DB_STATEMENT_TIMEOUT_MS="200")
    started = time.monotonic()
    response = app.test_client().get("/api/read-probe/sleep")
    assert response.status_code >= 500
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    ("mode", "status", "kept"),
    [
        ("autocommit", 200, 1),
        ("autocommit", 404, 0),
        ("autocommit", 500, 0),
        ("manual", 200, 0),
    ],
)
def test_a_get_that_writes_keeps_what_the_commit_mode_decides(
    make_app: Callable[..., Flask], db: Any, mode: str, status: int, kept: int
) -> None:
    app = make_app(DATABASE_COMMIT_MODE=mode)
    app.register_blueprint(bp)
    assert app.test_client().get(f"/api/read-probe/read-then-write/{status}").status_code == status
    assert count_emails(app, f"{status}@read.test") == kept
