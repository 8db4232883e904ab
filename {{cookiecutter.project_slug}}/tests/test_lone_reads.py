"""A reading request that has not used the session reads on a pooled connection alone
(``lone_reads.py``); once it has, and in requests that may write, reads run in the session.
A statement that may write never runs alone: the commit mode still decides what it wrote."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Blueprint, Flask, Response, jsonify
from sqlalchemy import String, func, literal, select

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.lone_reads import read_rows
from {{ cookiecutter.project_slug }}.pagination import PageRequest
from {{ cookiecutter.project_slug }}.users import service
from {{ cookiecutter.project_slug }}.users.models import User

from .factories import UserFactory
from .guards import listening
from .probes import answer, count_emails

bp = Blueprint("lone_read_probes", __name__, url_prefix="/api/lone-read-probe")
USERS = User.__table__


@bp.get("/after-an-add")
def list_after_an_add() -> Response:
    """Leave a user pending in the session (not flushed), then list the users."""
    db.session.add(User(email="pending@lone.test", name="Pending"))
    page = service.list_users(PageRequest(per_page=10, with_total=False))
    return jsonify(emails=[row.email for row in page.rows])


@bp.post("/read")
def read_in_a_post() -> Response:
    service.list_users(PageRequest(per_page=10, with_total=False))
    return jsonify(in_session=db.session.registry.has() and db.session().in_transaction())


@bp.get("/audited/<int:status>")
def read_through_a_writing_function(status: int) -> Response:
    read_rows(USERS, select(func.audited(literal(f"{status}@lone.test", String))))
    return answer(status)


AUDITED = (  # the function the route above calls: it inserts a user
    "CREATE FUNCTION audited(text) RETURNS text LANGUAGE sql AS $$"
    " INSERT INTO users (email, name) VALUES ($1, 'Audit'); SELECT $1 $$"
)


@pytest.fixture
def probe_app(make_app: Callable[..., Flask]) -> Callable[..., Flask]:
    def make(**settings: str) -> Flask:
        app = make_app(**settings)
        app.register_blueprint(bp)
        return app

    return make


@contextmanager
def sessions_begun() -> Iterator[list[Any]]:
    """Each session transaction that begins in the block (its connection's, once it has one)."""
    begun: list[Any] = []
    with listening(db.session.session_factory, after_begin=lambda *args: begun.append(args)):
        yield begun


@pytest.mark.parametrize("path", ["/api/users/1", "/api/users?page=1", "/api/users?after=aWQ6MA"])
def test_a_get_that_only_reads_builds_no_session(
    probe_app: Callable[..., Flask], db: Any, path: str
) -> None:
    app = probe_app()
    UserFactory()
    db.session.commit()
    with sessions_begun() as begun:
        response = app.test_client().get(path)
    assert response.status_code == 200
    assert begun == []


def test_with_reads_in_transactions_a_get_reads_in_its_session(
    probe_app: Callable[..., Flask], db: Any
) -> None:
    app = probe_app(DB_READS_WITHOUT_TRANSACTION="0")
    UserFactory()
    db.session.commit()
    with sessions_begun() as begun:
        assert app.test_client().get("/api/users/1").status_code == 200
    assert len(begun) == 1


def test_once_a_get_has_used_the_session_its_reads_see_its_work(
    probe_app: Callable[..., Flask], db: Any
) -> None:
    UserFactory(email="committed@lone.test")
    db.session.commit()
    response = probe_app().test_client().get("/api/lone-read-probe/after-an-add")
    assert response.json == {"emails": ["committed@lone.test", "pending@lone.test"]}


def test_a_request_that_may_write_reads_in_its_session(probe_app: Callable[..., Flask]) -> None:
    response = probe_app().test_client().post("/api/lone-read-probe/read")
    assert response.json == {"in_session": True}


@pytest.fixture
def audited(probe_app: Callable[..., Flask]) -> Iterator[None]:
    """The writing function, on PostgreSQL (elsewhere a SQL function cannot write)."""
    with probe_app().app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: a function that writes")
    with engine.begin() as connection:
        connection.exec_driver_sql(AUDITED)
    yield
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP FUNCTION audited(text)")


@pytest.mark.parametrize(
    ("mode", "status", "kept"),
    [("autocommit", 200, 1), ("autocommit", 404, 0), ("manual", 200, 0)],
)
def test_a_read_that_may_write_runs_in_the_session_whose_commit_mode_decides(
    probe_app: Callable[..., Flask], audited: None, mode: str, status: int, kept: int
) -> None:
    app = probe_app(DATABASE_COMMIT_MODE=mode)
    with sessions_begun() as begun:
        response = app.test_client().get(f"/api/lone-read-probe/audited/{status}")
    assert response.status_code == status
    assert len(begun) == 1  # the statement ran on the session's connection
    assert count_emails(app, f"{status}@lone.test") == kept
