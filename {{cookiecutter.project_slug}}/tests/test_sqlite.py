"""SQLite: writers wait their turn for its single write lock instead of failing at once."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import Engine

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.transactions import transaction
from {{ cookiecutter.project_slug }}.users.models import User

from .guards import listening

WRITERS = 5
REQUESTS_PER_WRITER = 20


def read_then_write(user_id: int) -> dict[str, Any]:
    """Read a user, then change it: the pattern a deferred BEGIN cannot make wait."""
    user = db.get_or_404(User, user_id)
    with transaction():
        user.name = f"visited {user.id}"
    return {"name": user.name}


@pytest.fixture
def sqlite_app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """An app with real commits on a SQLite file, whatever database the suite runs on."""
    app = make_app(TEST_DATABASE_URL=f"sqlite:///{tmp_path / 'writers.db'}")
    app.add_url_rule("/api/visit/<int:user_id>", view_func=read_then_write, methods=["PATCH"])
    return app


@pytest.mark.parametrize(
    ("method", "begin"),
    [
        ("GET", "BEGIN"),
        ("HEAD", "BEGIN"),
        ("OPTIONS", "BEGIN"),
        ("POST", "BEGIN IMMEDIATE"),
        ("PUT", "BEGIN IMMEDIATE"),
        ("PATCH", "BEGIN IMMEDIATE"),
        ("DELETE", "BEGIN IMMEDIATE"),
        (None, "BEGIN"),  # outside any request: commands, jobs, scripts
    ],
)
def test_requests_that_may_write_take_the_write_lock_first(
    sqlite_app: Flask, method: str | None, begin: str
) -> None:
    context: AbstractContextManager[Any]
    if method is None:
        context = sqlite_app.app_context()
    else:
        context = sqlite_app.test_request_context(method=method)
    with context, statements_sqlite_runs(db.engine) as statements:
        db.session.execute(select(User.id))
        db.session.remove()
    assert statements[0] == begin


@contextmanager
def statements_sqlite_runs(engine: Engine) -> Iterator[list[str]]:
    """What SQLite itself is asked to run, on connections checked out in the block."""
    statements: list[str] = []

    def trace(dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.set_trace_callback(statements.append)

    def untrace(dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.set_trace_callback(None)

    with listening(engine, checkout=trace, checkin=untrace):
        yield statements


def test_parallel_requests_that_read_then_write_wait_instead_of_failing(sqlite_app: Flask) -> None:
    with sqlite_app.app_context():
        users = [User(email=f"writer{n}@example.com", name="new") for n in range(WRITERS)]
        db.session.add_all(users)
        db.session.commit()
        ids = [user.id for user in users]
        db.session.remove()

    def patch(request_number: int) -> int:
        user_id = ids[request_number % WRITERS]
        return sqlite_app.test_client().patch(f"/api/visit/{user_id}").status_code

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        statuses = Counter(pool.map(patch, range(WRITERS * REQUESTS_PER_WRITER), timeout=60))
    assert statuses == {200: WRITERS * REQUESTS_PER_WRITER}


def test_a_writer_that_waits_in_vain_for_the_lock_gets_a_503(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    path = tmp_path / "locked.db"
    app = make_app(TEST_DATABASE_URL=f"sqlite:///{path}", DB_BUSY_TIMEOUT_MS="100")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's writer, which does not finish
    try:
        response = app.test_client().post(
            "/api/users", json={"email": "late@example.com", "name": "Late"}
        )
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
