"""Outside the API, errors are HTML pages in the site's layout; inside it, problem+json."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from {{ cookiecutter.project_slug }} import db as _db
from {{ cookiecutter.project_slug }}.users.models import User

from ..factories import user_count
from .forms import form_token, post_user

PROBLEM = "application/problem+json"


def assert_error_page(response: Any, status: int, title: str) -> str:
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = str(response.get_data(as_text=True))
    assert f"<h1>{title}</h1>" in page
    assert '<link rel="stylesheet" href="/static/style.css">' in page  # the site's layout
    return page


@pytest.mark.parametrize("path", ["/no/such/page", "/users/7", "/apis", "/static/none.css"])
def test_an_unknown_path_outside_the_api_is_a_404_page(client: FlaskClient, path: str) -> None:
    assert_error_page(client.get(path), 404, "Not Found")


@pytest.mark.parametrize("path", ["/api", "/api/no/such/page", "/healthz/more"])
def test_an_unknown_path_inside_the_api_is_a_404_problem(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == PROBLEM


def test_a_wrong_method_on_a_page_is_a_405_page_with_allow(client: FlaskClient) -> None:
    response = client.put("/users")
    assert_error_page(response, 405, "Method Not Allowed")
    assert {"GET", "POST"} <= set(response.headers["Allow"].split(", "))


def test_a_wrong_method_on_a_probe_is_a_405_problem(client: FlaskClient) -> None:
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response.mimetype == PROBLEM


def add_crashing_routes(app: Flask) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("SELECT secret FROM internals")

    @app.get("/api/boom")
    def api_boom() -> str:
        raise RuntimeError("SELECT secret FROM internals")


def test_a_crash_on_a_page_is_a_bare_500_page(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    add_crashing_routes(app)
    page = assert_error_page(app.test_client().get("/boom"), 500, "Internal Server Error")
    assert "secret" not in page
    assert "Traceback" not in page


def test_a_crash_in_the_api_stays_a_problem(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    add_crashing_routes(app)
    response = app.test_client().get("/api/boom")
    assert response.status_code == 500
    assert response.mimetype == PROBLEM


def test_a_failed_commit_on_a_page_is_a_409_page(make_app: Callable[..., Flask]) -> None:
    app = make_app(DATABASE_COMMIT_MODE="autocommit")

    @app.get("/twins")
    def twins() -> str:
        for name in ("One", "Two"):
            _db.session.add(User(email="twin@example.com", name=name))
        return "added"  # a 200: the mode commits, and the unique email fails the commit

    page = assert_error_page(app.test_client().get("/twins"), 409, "Conflict")
    assert "conflicts with data that already exists" in page


def test_a_form_over_the_size_limit_is_a_413_page(make_app: Callable[..., Flask], db: Any) -> None:
    client = make_app(MAX_CONTENT_LENGTH="200").test_client()
    token = form_token(client)
    response = post_user(client, "ada@example.com", "x" * 300, token=token)
    assert_error_page(response, 413, "Request Entity Too Large")
    assert user_count(db) == 0
