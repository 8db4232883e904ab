"""A reading request that has not used the session reads on a pooled connection alone
(``lone_reads.py``); once it has, and in requests that may write, reads run in the session.
A statement that may write or lock never runs alone: the commit mode still decides what it
wrote, and its locks last as long as the session's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Blueprint, Flask, Response, jsonify
from sqlalchemy import String, func, insert, literal, select, text

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.lone_reads import reading
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
    audited = select(func.audited(literal(f"{status}@lone.test", String)))
    with reading(USERS, audited) as reader:
        reader.execute(audited)
    return answer(status)


LOCKING = {
    "for-update": select(USERS.c.id).where(USERS.c.id == 1).with_for_update(),
    "for-share": select(USERS.c.id).where(USERS.c.id == 1).with_for_update(read=True),
}


@bp.get("/lock/<how>")
def read_with_a_lock(how: str) -> Response:
    with reading(USERS, LOCKING[how]) as reader:
        reader.execute(LOCKING[how]).all()
    return jsonify(ok=True)


UNDECLARED = text("SELECT 1")


@bp.get("/declared-text")
def declare_a_statement_that_is_not_plain() -> Response:
    with reading(USERS, service.BY_ID, UNDECLARED) as reader:
        reader.execute(service.BY_ID, {"user_id": 1}).all()
    return jsonify(ok=True)


@bp.get("/undeclared")
def run_an_undeclared_statement() -> Response:
    with reading(USERS, service.BY_ID) as reader:
        reader.execute(UNDECLARED)  # type: ignore[arg-type]  # text() may be anything
    return jsonify(ok=True)


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
def test_a_get_that_only_reads_begins_no_session(
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
    """The writing function, on PostgreSQL (the function is written in its dialect)."""
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


@pytest.mark.parametrize("how", LOCKING)
def test_a_locking_read_runs_in_the_session(
    probe_app: Callable[..., Flask], db: Any, how: str
) -> None:
    """On MariaDB a shared lock is ``LOCK IN SHARE MODE``; SQLite has no locking read."""
    app = probe_app()
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip("SQLite has no locking read: the whole database is locked instead")
    UserFactory()
    db.session.commit()
    with sessions_begun() as begun:
        assert app.test_client().get(f"/api/lone-read-probe/lock/{how}").status_code == 200
    assert len(begun) == 1  # the locks last as long as the session's transaction


def test_one_declared_statement_that_may_write_sends_the_whole_block_to_the_session(
    probe_app: Callable[..., Flask],
) -> None:
    with sessions_begun() as begun:
        response = probe_app().test_client().get("/api/lone-read-probe/declared-text")
    assert response.status_code == 200
    assert len(begun) == 1


def test_a_statement_the_block_did_not_declare_fails_it_before_it_is_sent(
    probe_app: Callable[..., Flask],
) -> None:
    """``text()`` may write: run alone, it would be rolled back whatever the commit mode says."""
    app = probe_app()
    with app.app_context():
        engine = db.engine
    sent: list[str] = []
    with listening(engine, after_cursor_execute=lambda _c, _k, sql, *_: sent.append(sql)):
        assert app.test_client().get("/api/lone-read-probe/undeclared").status_code == 500
    assert UNDECLARED.text not in sent


def test_a_page_and_its_total_read_one_snapshot_where_a_transaction_gives_one(
    probe_app: Callable[..., Flask], db: Any
) -> None:
    """A user committed between the page and the count is in neither (not PostgreSQL, where
    each statement of READ COMMITTED reads its own snapshot)."""
    app = probe_app()
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        pytest.skip("READ COMMITTED: each statement reads its own snapshot")
    UserFactory.create_batch(3)
    db.session.commit()

    def commit_another_user(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().startswith("SELECT users.id"):
            with engine.begin() as other:
                other.execute(insert(USERS).values(email="late@lone.test", name="Late"))

    with listening(engine, after_cursor_execute=commit_another_user):
        body = app.test_client().get("/api/users?page=1&per_page=10").json
    assert (len(body["items"]), body["total"]) == (3, 3)
