"""Text that some database cannot store is refused up front, the same way on every database."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from ..factories import UserFactory


def test_a_name_with_nul_is_422_on_create(client: FlaskClient, db: Any) -> None:
    response = client.post("/api/users", json={"email": "ada@example.com", "name": "Ada\x00"})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert [error["field"] for error in response.json["errors"]] == ["name"]  # type: ignore[index]


def test_a_name_with_nul_is_422_on_update(client: FlaskClient, db: Any) -> None:
    user = UserFactory(name="Ada")
    response = client.patch(f"/api/users/{user.id}", json={"name": "\x00"})
    assert response.status_code == 422
    assert client.get(f"/api/users/{user.id}").json["name"] == "Ada"  # type: ignore[index]


def test_unusual_but_storable_text_is_kept(client: FlaskClient, db: Any) -> None:
    name = "Zoë \u200b 例え \U0001f600 \x01"
    response = client.post("/api/users", json={"email": "zoe@example.com", "name": name})
    assert response.status_code == 201
    assert response.json["name"] == name  # type: ignore[index]


def test_an_email_at_the_length_limit_fits_after_lowering(client: FlaskClient, db: Any) -> None:
    """``İ`` lowers to two characters: the stored email must not grow past its column."""
    email = "İ" * 60 + "@" + "x" * 63 + "." + "y" * 63 + "." + "z" * 62 + ".io"
    assert len(email) == 254
    response = client.post("/api/users", json={"email": email, "name": "Long"})
    assert response.status_code == 201, response.json
    assert len(response.json["email"]) == 254  # type: ignore[index]
