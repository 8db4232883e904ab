"""SQLite: writers wait their turn for its single write lock instead of failing at once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.transactions import transaction
from {{ cookiecutter.project_slug }}.users.models import User

from .guards import count_queries

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
    app.add_url_rule("/visit/<int:user_id>", view_func=read_then_write, methods=["PATCH"])
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
    with context, count_queries() as queries:
        db.session.execute(select(User.id))
        db.session.remove()
    assert queries.statements[0] == begin


def test_parallel_requests_that_read_then_write_wait_instead_of_failing(sqlite_app: Flask) -> None:
    with sqlite_app.app_context():
        users = [User(email=f"writer{n}@example.com", name="new") for n in range(WRITERS)]
        db.session.add_all(users)
        db.session.commit()
        ids = [user.id for user in users]
        db.session.remove()

    def patch(request_number: int) -> int:
        user_id = ids[request_number % WRITERS]
        return sqlite_app.test_client().patch(f"/visit/{user_id}").status_code

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        statuses = Counter(pool.map(patch, range(WRITERS * REQUESTS_PER_WRITER), timeout=60))
    assert statuses == {200: WRITERS * REQUESTS_PER_WRITER}
