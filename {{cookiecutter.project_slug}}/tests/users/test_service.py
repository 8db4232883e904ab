"""What the users service guarantees when requests overlap, and what a change costs."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from {{ cookiecutter.project_slug }} import db as _db
from {{ cookiecutter.project_slug }}.pagination import PageRequest
from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.schemas import user_json
from {{ cookiecutter.project_slug }}.users.service import add_users, get_user, list_users

from ..factories import UserFactory
from ..guards import count_queries

THREADS = 4
USERS_PER_ROUND = 10
ROUNDS = 10


def create_users(app: Flask, round_number: int) -> list[int]:
    emails = [f"racer{n}.{round_number}@example.com" for n in range(USERS_PER_ROUND)]
    with app.app_context():
        users = [User(email=email, name="Racer") for email in emails]
        _db.session.add_all(users)
        _db.session.commit()
        ids = [user.id for user in users]
        _db.session.remove()
    return ids


def send(app: Flask, method: str, user_id: int) -> int:
    """One request, from a client of its own, as from another browser."""
    response = app.test_client().open(f"/api/users/{user_id}", method=method, json={"name": "X"})
    return response.status_code


def test_a_patch_racing_a_delete_is_a_200_or_a_404(committed_app: Flask) -> None:
    statuses: dict[str, Counter[int]] = {"PATCH": Counter(), "DELETE": Counter()}
    for round_number in range(ROUNDS):
        requests = [
            (method, user_id)
            for user_id in create_users(committed_app, round_number)
            for method in ("PATCH", "DELETE")
        ]
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            answers = pool.map(lambda request: send(committed_app, *request), requests, timeout=60)
            for (method, _), status in zip(requests, answers, strict=True):
                statuses[method][status] += 1
    assert statuses["DELETE"] == {204: ROUNDS * USERS_PER_ROUND}
    assert set(statuses["PATCH"]) <= {200, 404}, statuses["PATCH"]


def test_an_update_is_one_statement_where_the_database_returns_updated_rows(
    client: FlaskClient, db: Any
) -> None:
    user = UserFactory(name="Ada")
    with count_queries() as queries:
        response = client.patch(f"/api/users/{user.id}", json={"name": "Ada Lovelace"})
    body: Any = response.json
    assert (body["id"], body["name"]) == (user.id, "Ada Lovelace")
    data = [sql for sql in queries.statements if sql.split()[0].upper() in {"SELECT", "UPDATE"}]
    # MySQL and MariaDB have no UPDATE ... RETURNING: they read the user back.
    assert len(data) == (1 if db.engine.dialect.update_returning else 2), data


def test_a_create_reads_the_user_back_where_the_database_cannot_return_it(
    app: Flask, client: FlaskClient, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():  # as on MySQL, which has no INSERT ... RETURNING
        monkeypatch.setattr(_db.engine.dialect, "insert_returning", False)
    with count_queries() as queries:
        response = client.post("/api/users", json={"email": "Ada@Example.com", "name": "Ada"})
    body: Any = response.json
    assert response.status_code == 201
    assert body == user_json(get_user(body["id"]))
    kinds = [sql.split()[0].upper() for sql in queries.statements]
    # The INSERT, then the read of the row (PostgreSQL takes the id from its sequence first).
    assert [kind for kind in kinds if kind in {"SELECT", "INSERT"}][-2:] == ["INSERT", "SELECT"]


def test_an_update_that_changes_nothing_still_finds_the_user(client: FlaskClient, db: Any) -> None:
    # MySQL reports the rows an UPDATE matched (SQLAlchemy's driver asks it to), not only those
    # it changed: a PATCH that changes nothing must not look like a missing user.
    user = UserFactory(name="Ada")
    response = client.patch(f"/api/users/{user.id}", json={"name": "Ada"})
    assert response.status_code == 200


def test_a_bulk_insert_is_held_to_the_table_constraints(db: Any) -> None:
    UserFactory(email="taken@example.com")
    db.session.commit()
    rows = [{"email": "new@example.com", "name": "N"}, {"email": "taken@example.com", "name": "T"}]
    with pytest.raises(IntegrityError):
        add_users(rows)
    db.session.rollback()
    assert db.session.scalars(select(User.email)).all() == ["taken@example.com"]


def test_reads_see_what_the_session_has_pending_as_the_orm_would(db: Any) -> None:
    user = User(email="pending@example.com", name="Pending")
    db.session.add(user)
    assert get_user(1).email == "pending@example.com"  # flushed first, as autoflush does
    assert list_users(PageRequest(per_page=20)).total == 1
    with db.session.no_autoflush:
        db.session.add(User(email="held@example.com", name="Held"))
        assert list_users(PageRequest(per_page=20)).total == 1  # autoflush off: not flushed
    db.session.rollback()
