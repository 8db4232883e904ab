"""The suite's own guards catch what they promise to catch."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from {{ cookiecutter.project_slug }} import db as _db
from {{ cookiecutter.project_slug }}.users.models import User

from .guards import assert_max_queries, leaked_connections, pending_changes


def test_a_connection_held_open_is_reported(committed_app: Flask) -> None:
    with committed_app.app_context():
        connection = _db.engine.connect()
        try:
            assert any("1 checked out" in leak for leak in leaked_connections())
        finally:
            connection.close()
    assert leaked_connections() == []


def test_uncommitted_objects_are_reported(db: Any) -> None:
    assert pending_changes(db.session) is None
    db.session.add(User(email="pending@example.com", name="P"))
    assert pending_changes(db.session) == "1 new"
    db.session.rollback()


def test_assert_max_queries_fails_past_the_limit(db: Any) -> None:
    db.session.execute(select(1))  # the session's SAVEPOINT is sent before this
    too_many = pytest.raises(AssertionError, match=r"at most 1 queries, ran 2:\n  1. SELECT 1")
    with too_many, assert_max_queries(1):
        db.session.execute(select(1))
        db.session.execute(select(2))
    with assert_max_queries(1) as counter:
        db.session.execute(select(1))
    assert counter.count == 1


def test_a_request_sees_what_the_test_committed(client: Any, db: Any) -> None:
    db.session.add(User(email="seen@example.com", name="Seen"))
    db.session.commit()
    assert client.get("/api/users").json["total"] == 1


class TestNothingSurvivesATest:
    """Run in order: the second test finds the table the first one filled empty again."""

    def test_first_writes_and_commits(self, client: Any, db: Any) -> None:
        response = client.post("/api/users", json={"email": "kept?@example.com", "name": "K"})
        assert response.status_code == 201
        assert db.session.scalar(select(User.email)) == "kept?@example.com"

    def test_second_finds_an_empty_table(self, client: Any, db: Any) -> None:
        assert db.session.scalars(select(User)).all() == []
        assert client.get("/api/users").json["total"] == 0
