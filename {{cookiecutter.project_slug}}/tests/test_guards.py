"""The suite's own guards catch what they promise to catch."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from {{ cookiecutter.project_slug }} import db as _db
from {{ cookiecutter.project_slug }}.users.models import User

from .guards import assert_max_queries, leaked_connections, pending_changes

USERS = User.__table__


def test_a_connection_held_open_is_reported(committed_app: Flask) -> None:
    with committed_app.app_context():
        connection = _db.engine.connect()
        try:
            assert any("1 checked out" in leak for leak in leaked_connections([committed_app]))
        finally:
            connection.close()
    assert leaked_connections([committed_app]) == []


def test_uncommitted_objects_are_reported(db: Any) -> None:
    assert pending_changes(db.session) is None
    db.session.add(User(email="pending@example.com", name="P"))
    assert pending_changes(db.session) == "1 new"
    db.session.rollback()


@pytest.mark.parametrize("how", ["flush", "execute"])
def test_a_request_after_writes_the_test_has_not_committed_is_refused(
    client: FlaskClient, db: Any, how: str
) -> None:
    if how == "flush":
        db.session.add(User(email="flushed@example.com", name="F"))
        db.session.flush()
    else:
        db.session.execute(insert(USERS).values(email="sent@example.com", name="S"))
    with pytest.raises(RuntimeError, match="writes sent but not committed"):
        client.get("/api/users")
    db.session.commit()
    assert client.get("/api/users").json["total"] == 1


def test_assert_max_queries_fails_past_the_limit(db: Any) -> None:
    too_many = pytest.raises(AssertionError, match=r"at most 1 queries, ran 2:\n  1. SELECT 1")
    with too_many, assert_max_queries(1):
        db.session.execute(select(1))
        db.session.execute(select(2))
    with assert_max_queries(1) as counter:
        db.session.execute(select(1))
    assert counter.count == 1


def test_assert_max_queries_counts_only_the_code_under_test(client: Any) -> None:
    user_id = client.post("/api/users", json={"email": "one@example.com", "name": "O"}).json["id"]
    with assert_max_queries(1):  # a read: one SELECT, and nothing the suite sends itself
        assert client.get(f"/api/users/{user_id}").status_code == 200
