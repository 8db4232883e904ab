"""The imports API: start an import of users, then follow it to its end.

With a queue, the tests run each job at once, when the request's transaction commits
(``JOB_EAGER``, on in testing): the same path a worker takes, in this process.
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from ..factories import UserFactory, user_count
from .test_views import assert_problem

ROWS = [{"email": f"Import{n}@Example.com", "name": f"I{n}"} for n in range(3)]


def start(client: FlaskClient, rows: list[dict[str, Any]]) -> Any:
    response = client.post("/api/users/imports", json={"rows": rows})
    assert response.status_code == 202, response.json
    return response


def test_an_import_answers_202_with_where_to_follow_it(client: FlaskClient, db: Any) -> None:
    response = start(client, ROWS)
    assert response.headers["Location"] == f"/api/users/imports/{response.json['id']}"
    assert response.json["state"] in {"queued", "done"}
    followed = client.get(response.headers["Location"])
    assert followed.status_code == 200
    assert followed.json == {
        "id": response.json["id"],
        "state": "done",
        "created": 3,
        "skipped": [],
    }
    assert user_count(db) == 3


def test_an_import_skips_emails_already_taken(client: FlaskClient, db: Any) -> None:
    UserFactory(email="import1@example.com")
    location = start(client, ROWS).headers["Location"]
    assert client.get(location).json["skipped"] == ["import1@example.com"]
    assert client.get(location).json["created"] == 2
    assert user_count(db) == 3


def test_importing_the_same_rows_twice_creates_each_user_once(
    client: FlaskClient, db: Any
) -> None:
    start(client, ROWS)
    second = client.get(start(client, ROWS[::-1]).headers["Location"]).json
    assert (second["created"], len(second["skipped"])) == (0, 3)
    assert user_count(db) == 3


def test_an_import_of_invalid_rows_is_a_422_and_starts_nothing(
    client: FlaskClient, db: Any
) -> None:
    response = client.post("/api/users/imports", json={"rows": [{"email": "nope", "name": ""}]})
    body = assert_problem(response, 422)
    assert {error["field"] for error in body["errors"]} == {"rows.0.email", "rows.0.name"}
    assert_problem(client.post("/api/users/imports", json={"rows": []}), 422)
    malformed = client.post("/api/users/imports", data="{", content_type="application/json")
    assert_problem(malformed, 400)
    assert_problem(client.get("/api/users/imports/1"), 404)


def test_an_unknown_import_is_a_404(client: FlaskClient, db: Any) -> None:
    assert_problem(client.get("/api/users/imports/99"), 404)
    assert_problem(client.get("/api/users/imports/0"), 404)
