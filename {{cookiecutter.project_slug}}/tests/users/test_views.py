"""The users JSON API: every endpoint and every error status."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from ..factories import UserFactory, user_count
from ..guards import assert_max_queries, count_queries

PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = response.json
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    return body


# -- listing --------------------------------------------------------------------------------


def test_list_is_an_envelope_of_users_oldest_first(client: FlaskClient, db: Any) -> None:
    users = UserFactory.create_batch(3)
    response = client.get("/api/users")
    assert response.status_code == 200
    body: Any = response.json
    assert body["page"] == 1
    assert body["per_page"] == 20
    assert body["total"] == 3
    assert [item["id"] for item in body["items"]] == [user.id for user in users]
    assert set(body["items"][0]) == {"id", "email", "name", "created_at"}
    assert body["items"][0]["created_at"].endswith("+00:00")


def test_list_pages(client: FlaskClient, db: Any) -> None:
    UserFactory.create_batch(5)
    body: Any = client.get("/api/users?page=2&per_page=2").json
    assert (body["page"], body["per_page"], body["total"], len(body["items"])) == (2, 2, 5, 2)
    past_the_end: Any = client.get("/api/users?page=9&per_page=2").json
    assert (past_the_end["items"], past_the_end["total"]) == ([], 5)


def test_list_of_nothing(client: FlaskClient, db: Any) -> None:
    assert client.get("/api/users").json == {
        "items": [],
        "page": 1,
        "per_page": 20,
        "total": 0,
        "next": None,
    }


def walk(client: FlaskClient, first: str) -> list[dict[str, Any]]:
    """Every page from ``first`` on, following ``next`` links to the end."""
    pages: list[dict[str, Any]] = []
    link: str | None = first
    while link is not None and len(pages) < 100:
        response = client.get(link)
        assert response.status_code == 200, response.json
        pages.append(response.json)  # type: ignore[arg-type]
        link = pages[-1]["next"]
    return pages


def test_next_links_walk_every_user_exactly_once(client: FlaskClient, db: Any) -> None:
    users = UserFactory.create_batch(7)
    pages = walk(client, "/api/users?per_page=3")
    assert [[item["id"] for item in page["items"]] for page in pages] == [
        [user.id for user in users[0:3]],
        [user.id for user in users[3:6]],
        [users[6].id],
    ]
    assert pages[0]["total"] == 7
    assert all("total" not in page and "page" not in page for page in pages[1:])
    assert all(page["per_page"] == 3 for page in pages)


def test_a_full_last_page_has_no_next_link(client: FlaskClient, db: Any) -> None:
    UserFactory.create_batch(4)
    assert [len(page["items"]) for page in walk(client, "/api/users?per_page=2")] == [2, 2]


def test_a_user_deleted_mid_walk_makes_no_other_user_skipped(client: FlaskClient, db: Any) -> None:
    users = UserFactory.create_batch(6)
    first: Any = client.get("/api/users?per_page=2").json
    assert client.delete(f"/api/users/{users[0].id}").status_code == 204
    rest = walk(client, first["next"])
    assert [item["id"] for page in rest for item in page["items"]] == [u.id for u in users[2:]]


def test_the_total_is_counted_when_asked(client: FlaskClient, db: Any) -> None:
    UserFactory.create_batch(3)
    assert "total" not in client.get("/api/users?total=false").json  # type: ignore[operator]
    first: Any = client.get("/api/users?per_page=1").json
    assert client.get(first["next"] + "&total=true").json["total"] == 3  # type: ignore[index]


@pytest.mark.parametrize(
    ("query", "statements"),
    [("", 2), ("total=false", 1), ("page=3", 2), ("page=3&total=false", 1)],
)
def test_an_offset_page_counts_the_total_in_a_second_query(
    client: FlaskClient, db: Any, query: str, statements: int
) -> None:
    UserFactory.create_batch(5)
    with assert_max_queries(statements) as queries:
        assert client.get(f"/api/users?per_page=2&{query}").status_code == 200
    assert queries.count == statements


def test_a_keyset_page_is_one_query_however_deep(client: FlaskClient, db: Any) -> None:
    UserFactory.create_batch(9)
    link = client.get("/api/users?per_page=2").json["next"]  # type: ignore[index]
    while link is not None:
        with assert_max_queries(1) as queries:
            link = client.get(link).json["next"]  # type: ignore[index]
        assert queries.count == 1


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "abc",
        "aWQ6MQ==",  # id:1 with the padding the API leaves out
        "aWQ6LTE",  # id:-1
        "MQ",  # 1 without the prefix
        "aWQ6",  # id: and nothing
        "aWQ6MQ" * 50,
        "%D9%A3",
        "aWQ6M%00Q",
    ],
)
def test_a_bad_cursor_is_400(client: FlaskClient, db: Any, cursor: str) -> None:
    body = assert_problem(client.get(f"/api/users?after={cursor}"), 400)
    assert "not a valid cursor" in body["detail"]


@pytest.mark.parametrize(
    ("cursor", "ids"),
    [
        ("aWQ6MDE", [2, 3]),  # id:01, read by value as the document's pattern allows
        ("aWQ6MjE0NzQ4MzY0OA", []),  # id:2147483648, past any id: the empty last page
    ],
)
def test_a_cursor_is_read_by_value(
    client: FlaskClient, db: Any, cursor: str, ids: list[int]
) -> None:
    UserFactory.create_batch(3)
    body = client.get(f"/api/users?after={cursor}").json
    assert [item["id"] for item in body["items"]] == ids  # type: ignore[index]
    assert body["next"] is None  # type: ignore[index]


def test_after_wins_over_page_which_must_still_be_valid(client: FlaskClient, db: Any) -> None:
    UserFactory.create_batch(3)
    body = client.get("/api/users?after=aWQ6MQ&page=2").json  # after id 1; page is ignored
    assert [item["id"] for item in body["items"]] == [2, 3]  # type: ignore[index]
    assert "page" not in body  # type: ignore[operator]
    assert_problem(client.get("/api/users?after=aWQ6MQ&page=0"), 400)


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("total=no", "true or false"),
        ("after=aWQ6MQ&total=1", "true or false"),
    ],
)
def test_contradictory_or_unknown_list_parameters_are_400(
    client: FlaskClient, db: Any, query: str, detail: str
) -> None:
    assert detail in assert_problem(client.get(f"/api/users?{query}"), 400)["detail"]


@pytest.mark.parametrize(
    ("query", "page", "per_page"),
    [
        ("per_page=500", 1, 100),
        ("per_page=999999999", 1, 100),
        ("per_page=1000000000", 1, 100),
        ("per_page=" + "9" * 5000, 1, 100),
        ("per_page=0000000001", 1, 1),
        ("per_page=007", 1, 7),
        ("page=0000000002", 2, 20),
        ("page=1000000", 1_000_000, 20),
    ],
)
def test_page_parameters_are_read_by_value_and_per_page_is_capped_at_100(
    client: FlaskClient, db: Any, query: str, page: int, per_page: int
) -> None:
    response = client.get(f"/api/users?{query}")
    assert response.status_code == 200
    body: Any = response.json
    assert (body["page"], body["per_page"]) == (page, per_page)


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=-1", "page=abc", "page=1.5", "per_page=0", "per_page=x", "page=",
     "page=99999999999999999999", "page=%D9%A3", "per_page=%D9%A3", "per_page=-5",
     "per_page=%2B5", "per_page=1e3", "per_page=%205", "per_page=000", "page=1000001",
     "page=0001000001", "page=" + "9" * 5000],
)  # fmt: skip
def test_bad_page_parameters_are_400(client: FlaskClient, query: str) -> None:
    body = assert_problem(client.get(f"/api/users?{query}"), 400)
    assert "must be a whole number" in body["detail"]


def test_a_list_page_costs_the_same_queries_however_many_rows(
    client: FlaskClient, db: Any
) -> None:
    UserFactory.create_batch(1)
    with count_queries() as one_row:
        client.get("/api/users?per_page=100")
    UserFactory.create_batch(60)
    with assert_max_queries(one_row.count) as many_rows:
        assert len(client.get("/api/users?per_page=100").json["items"]) == 61  # type: ignore[index]
    assert many_rows.count == one_row.count


# -- one user -------------------------------------------------------------------------------


def test_get_user(client: FlaskClient, db: Any) -> None:
    user = UserFactory()
    response = client.get(f"/api/users/{user.id}")
    assert response.status_code == 200
    assert response.json == {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "created_at": response.json["created_at"],  # type: ignore[index]
    }


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "user_id",
    ["999", "0", "000", "2147483648", "99999999999999999999", "1" * 5000, "-1", "abc"],
)
def test_missing_user_is_404_for_every_method(
    client: FlaskClient, method: str, user_id: str
) -> None:
    response = client.open(f"/api/users/{user_id}", method=method, json={"name": "Ada"})
    assert_problem(response, 404)
    assert "Allow" not in response.headers


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_an_id_in_another_script_s_digits_is_404(
    client: FlaskClient, db: Any, method: str
) -> None:
    user = UserFactory()
    arabic_indic = "".join(chr(0x660 + int(digit)) for digit in str(user.id))
    response = client.open(f"/api/users/{arabic_indic}", method=method, json={"name": "Ada"})
    assert_problem(response, 404)
    assert client.get(f"/api/users/{user.id}").json["name"] == user.name  # type: ignore[index]


def test_an_id_past_a_32_bit_integer_never_reaches_the_database(client: FlaskClient) -> None:
    with count_queries() as queries:
        assert_problem(client.delete("/api/users/2147483648"), 404)
    assert queries.count == 0


# -- create ---------------------------------------------------------------------------------


def test_create_user(client: FlaskClient, db: Any) -> None:
    response = client.post("/api/users", json={"email": "Ada@Example.com", "name": " Ada "})
    assert response.status_code == 201
    body: Any = response.json
    assert response.headers["Location"] == f"/api/users/{body['id']}"
    assert (body["email"], body["name"]) == ("ada@example.com", "Ada")
    assert body["created_at"]
    assert client.get(response.headers["Location"]).json == body
    assert user_count(db) == 1


def test_create_costs_one_statement_besides_the_transaction(client: FlaskClient, db: Any) -> None:
    with count_queries() as queries:
        client.post("/api/users", json={"email": "ada@example.com", "name": "Ada"})
    inserts = [sql for sql in queries.statements if sql.lstrip().upper().startswith("INSERT")]
    selects = [sql for sql in queries.statements if sql.lstrip().upper().startswith("SELECT")]
    assert (len(inserts), len(selects)) == (1, 0)


def test_duplicate_email_is_409(client: FlaskClient, db: Any) -> None:
    UserFactory(email="ada@example.com")
    body = assert_problem(
        client.post("/api/users", json={"email": "ADA@example.com", "name": "Other"}), 409
    )
    assert "ada@example.com" in body["detail"]
    assert user_count(db) == 1


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"email": "not-an-email", "name": "Ada"}, {"email"}),
        ({"email": "ada@example.com", "name": ""}, {"name"}),
        ({"email": "ada@example.com", "name": "x" * 101}, {"name"}),
        ({"email": "ada@example.com"}, {"name"}),
        ({"name": "Ada"}, {"email"}),
        ({"email": 5, "name": ["Ada"]}, {"email", "name"}),
        ({"email": "ada@example.com", "name": "Ada", "admin": True}, {"admin"}),
        ([1, 2], {None}),
        ("text", {None}),
    ],
)
def test_invalid_fields_are_422_with_per_field_errors(
    client: FlaskClient, db: Any, payload: Any, fields: set[str | None]
) -> None:
    body = assert_problem(client.post("/api/users", json=payload), 422)
    assert {error["field"] for error in body["errors"]} == fields
    assert all(error["message"] for error in body["errors"])
    assert user_count(db) == 0


@pytest.mark.parametrize(
    "data",
    ['{"email": ', "{'email': 'x'}", "\xff", "[" * 10_000 + "]" * 10_000,
     '{"a":' * 10_000 + "1" + "}" * 10_000, '{"email": ' + "[" * 10_000 + "]" * 10_000 + "}"],
    ids=["cut short", "single quotes", "not utf-8", "deep arrays", "deep objects", "deep field"],
)  # fmt: skip
def test_malformed_json_is_400(client: FlaskClient, db: Any, data: str) -> None:
    response = client.post("/api/users", data=data, content_type="application/json")
    assert_problem(response, 400)
    assert user_count(db) == 0


@pytest.mark.parametrize(
    ("levels", "status"), [(100, 422), (101, 400)], ids=["at the limit", "one past it"]
)
def test_json_nested_past_the_limit_is_400_on_every_python(
    client: FlaskClient, db: Any, levels: int, status: int
) -> None:
    data = '{"a":' * (levels - 1) + "[]" + "}" * (levels - 1)
    response = client.post("/api/users", data=data, content_type="application/json")
    assert_problem(response, status)


def test_a_body_that_is_not_json_is_415(client: FlaskClient) -> None:
    assert_problem(client.post("/api/users", data="email=x", content_type="text/plain"), 415)


# -- update and delete ----------------------------------------------------------------------


def test_update_user(client: FlaskClient, db: Any) -> None:
    user = UserFactory(name="Ada")
    response = client.patch(f"/api/users/{user.id}", json={"name": "Ada Lovelace"})
    assert response.status_code == 200
    body: Any = response.json
    assert (body["name"], body["email"]) == ("Ada Lovelace", user.email)
    assert client.get(f"/api/users/{user.id}").json["name"] == "Ada Lovelace"  # type: ignore[index]


def test_update_to_a_taken_email_is_409(client: FlaskClient, db: Any) -> None:
    UserFactory(email="ada@example.com")
    user = UserFactory(email="grace@example.com")
    assert_problem(client.patch(f"/api/users/{user.id}", json={"email": "ada@example.com"}), 409)
    assert client.get(f"/api/users/{user.id}").json["email"] == "grace@example.com"  # type: ignore[index]


@pytest.mark.parametrize("payload", [{}, {"name": None}, {"name": ""}, {"id": 5}, [1]])
def test_invalid_update_is_422(client: FlaskClient, db: Any, payload: Any) -> None:
    user = UserFactory()
    assert_problem(client.patch(f"/api/users/{user.id}", json=payload), 422)


def test_update_missing_user_is_404(client: FlaskClient, db: Any) -> None:
    assert_problem(client.patch("/api/users/999", json={"name": "Ada"}), 404)


def test_delete_user(client: FlaskClient, db: Any) -> None:
    user_id = UserFactory().id
    response = client.delete(f"/api/users/{user_id}")
    assert response.status_code == 204
    assert response.data == b""
    assert_problem(client.get(f"/api/users/{user_id}"), 404)
    assert user_count(db) == 0


def test_a_deleted_users_id_is_never_given_again(client: FlaskClient, db: Any) -> None:
    """Not even the last one: a client holding its URL gets a 404, not someone else."""
    first = client.post("/api/users", json={"email": "one@example.com", "name": "One"}).json
    assert client.delete(f"/api/users/{first['id']}").status_code == 204
    second = client.post("/api/users", json={"email": "two@example.com", "name": "Two"}).json
    assert second["id"] == first["id"] + 1
    assert_problem(client.get(f"/api/users/{first['id']}"), 404)


def test_delete_missing_user_is_404(client: FlaskClient, db: Any) -> None:
    assert_problem(client.delete("/api/users/999"), 404)
