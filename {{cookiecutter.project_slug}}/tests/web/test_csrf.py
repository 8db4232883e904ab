"""Forms need the session's CSRF token; the JSON API needs none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from {{ cookiecutter.project_slug }}.csrf import REFUSED

from ..factories import user_count
from .forms import form_token, post_user

HTTPS = "https://localhost"


def assert_refused(response: Any) -> None:
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert escape(REFUSED) in response.get_data(as_text=True)


def test_a_post_without_a_token_is_refused_with_a_400_page(client: FlaskClient, db: Any) -> None:
    response = client.post("/users", data={"email": "ada@example.com", "name": "Ada"})
    assert_refused(response)
    assert user_count(db) == 0


def test_a_wrong_token_is_refused(client: FlaskClient, db: Any) -> None:
    assert_refused(post_user(client, "ada@example.com", "Ada", token="not-the-token"))
    assert user_count(db) == 0


def test_a_token_from_another_session_is_refused(app: Any, client: FlaskClient, db: Any) -> None:
    someone_elses = form_token(app.test_client())
    assert_refused(post_user(client, "ada@example.com", "Ada", token=someone_elses))
    assert user_count(db) == 0


def test_a_test_about_something_else_can_turn_the_check_off_for_its_app(
    make_app: Callable[..., Flask], db: Any
) -> None:
    app = make_app()
    app.config["WTF_CSRF_ENABLED"] = False  # Flask-WTF's own setting, read on every request
    response = app.test_client().post("/users", data={"email": "ada@example.com", "name": "A"})
    assert response.status_code == 303
    assert user_count(db) == 1


def test_the_json_api_needs_no_token(client: FlaskClient, db: Any) -> None:
    response = client.post("/api/users", json={"email": "ada@example.com", "name": "Ada"})
    assert response.status_code == 201
    assert user_count(db) == 1


def test_over_https_the_referrer_that_pages_send_must_be_the_app_itself(
    client: FlaskClient, db: Any
) -> None:
    page = client.get("/users", base_url=HTTPS)
    # Pages send their referrer to the app itself, and nowhere else: over HTTPS the CSRF check
    # refuses a post without one.
    assert page.headers["Referrer-Policy"] == "same-origin"
    token = form_token(client, base_url=HTTPS)
    elsewhere = {"Referer": "https://elsewhere.example/users"}
    refused = post_user(client, "ada@example.com", "Ada", token=token, base_url=HTTPS)
    assert refused.status_code == 400
    refused = post_user(
        client, "ada@example.com", "Ada", token=token, base_url=HTTPS, headers=elsewhere
    )
    assert refused.status_code == 400
    same_site = {"Referer": f"{HTTPS}/users"}
    response = post_user(
        client, "ada@example.com", "Ada", token=token, base_url=HTTPS, headers=same_site
    )
    assert response.status_code == 303
    assert user_count(db) == 1
