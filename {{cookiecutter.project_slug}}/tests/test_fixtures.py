"""The fixtures change nothing the app does: what passes here works in production."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, request
from sqlalchemy import func, select

from {{ cookiecutter.project_slug }}.users.models import User

from .factories import UserFactory
from .probes import add_probes


@pytest.fixture
def probe_app(make_app: Callable[..., Flask]) -> Flask:
    return add_probes(make_app())


def user_count(db: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def test_a_request_sees_what_the_test_committed(client: Any, db: Any) -> None:
    UserFactory()
    assert client.get("/api/users").json["total"] == 1


def test_app_code_may_use_the_engine_directly(probe_app: Flask, db: Any) -> None:
    assert probe_app.test_client().post("/probe/engine-write").json == {"count": 1}
    assert user_count(db) == 1


def test_a_rollback_in_the_test_keeps_what_a_request_committed(client: Any, db: Any) -> None:
    assert (
        client.post("/api/users", json={"email": "a@example.com", "name": "A"}).status_code == 201
    )
    db.session.rollback()
    assert user_count(db) == 1


def test_the_test_reads_what_a_request_changed(client: Any, db: Any) -> None:
    user = UserFactory(name="Before")
    assert client.patch(f"/api/users/{user.id}", json={"name": "After"}).status_code == 200
    assert db.session.get(User, user.id).name == "After"


def test_with_client_keeps_the_request_for_the_test(client: Any) -> None:
    with client:
        assert client.get("/api/users?page=2").status_code == 200
        assert request.args["page"] == "2"


def test_a_streamed_response_can_be_read(probe_app: Flask) -> None:
    response = probe_app.test_client().post("/probe/stream/block")
    assert response.get_data(as_text=True) == "started\ndone\n"


def test_data_the_test_has_not_committed_stops_a_request(client: Any, db: Any) -> None:
    db.session.add(User(email="pending@example.com", name="P"))
    with pytest.raises(RuntimeError, match="Commit the test's data"):
        client.get("/api/users")
    db.session.rollback()


class TestEveryTestStartsFresh:
    """Run in order: each test finds every table empty, and ids counting from 1 again."""

    @pytest.mark.parametrize("round_", [1, 2])
    def test_ids_start_from_one(self, client: Any, round_: int) -> None:
        response = client.post("/api/users", json={"email": "a@example.com", "name": "A"})
        assert response.json["id"] == 1

    def test_writes_through_the_engine_do_not_survive_either(self, probe_app: Flask) -> None:
        assert probe_app.test_client().post("/probe/engine-write").json == {"count": 1}

    def test_the_next_test_finds_the_table_empty(self, db: Any) -> None:
        assert user_count(db) == 0
