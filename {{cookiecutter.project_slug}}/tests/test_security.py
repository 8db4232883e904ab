"""Every response carries the security headers; proxies are trusted only when told; big bodies
are refused; and no response shows SQL or a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, jsonify, request, session
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from {{ cookiecutter.project_slug }} import db as _db
from {{ cookiecutter.project_slug }}.security import HEADERS
from {{ cookiecutter.project_slug }}.users.models import User

from .environments import production_app

FORWARDED = {
    "X-Forwarded-For": "198.51.100.66, 203.0.113.9",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "api.example.com",
    "X-Forwarded-Prefix": "/shop",
}
# What a client can send through a proxy that appends only X-Forwarded-For and -Proto.
STEERING = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Prefix": "//evil.example"}


def assert_security_headers(response: Any) -> None:
    for name, value in HEADERS.items():
        assert response.headers[name] == value, name


def add_where_am_i(app: Flask) -> None:
    @app.get("/where")
    def where() -> Any:
        return jsonify(
            client=request.remote_addr,
            scheme=request.scheme,
            host=request.host,
            prefix=request.script_root,
        )


@pytest.mark.parametrize("path", ["/healthz", "/api/users", "/no/such/page", "/api/users/0"])
def test_every_response_has_the_security_headers(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert_security_headers(response)
    assert "Strict-Transport-Security" not in response.headers  # only production sends it


def test_a_crash_has_the_security_headers(make_app: Callable[..., Flask]) -> None:
    app = make_app()

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert_security_headers(response)


def test_a_response_replaced_by_a_failed_commit_has_the_headers(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(DATABASE_COMMIT_MODE="autocommit")

    @app.post("/twins")
    def twins() -> tuple[str, int]:
        for name in ("One", "Two"):
            _db.session.add(User(email="twin@example.com", name=name))
        return "", 201

    response = app.test_client().post("/twins")
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert_security_headers(response)


def test_hsts_follows_its_setting(make_app: Callable[..., Flask]) -> None:
    response = make_app(HSTS_MAX_AGE="600").test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"] == "max-age=600; includeSubDomains"


def test_production_sends_hsts_for_a_year() -> None:
    with production_app() as app:
        response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert_security_headers(response)


def add_session_route(app: Flask) -> None:
    @app.get("/remember")
    def remember() -> str:
        session["seen"] = True
        return "ok"


def test_production_session_cookies_are_secure_http_only_and_same_site() -> None:
    with production_app() as app:
        add_session_route(app)
        cookie = app.test_client().get("/remember").headers["Set-Cookie"]
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= {part.strip() for part in cookie.split(";")}


def test_session_cookies_outside_production_work_over_plain_http(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app()
    add_session_route(app)
    cookie = app.test_client().get("/remember").headers["Set-Cookie"]
    parts = {part.strip() for part in cookie.split(";")}
    assert "Secure" not in parts
    assert {"HttpOnly", "SameSite=Lax"} <= parts


def test_forwarded_headers_are_ignored_by_default(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    add_where_am_i(app)
    seen = app.test_client().get("/where", headers=FORWARDED).json
    assert seen == {"client": "127.0.0.1", "scheme": "http", "host": "localhost", "prefix": ""}


def test_trusted_proxies_give_address_and_scheme_but_not_host_or_prefix(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(TRUSTED_PROXIES="1")
    add_where_am_i(app)
    seen = app.test_client().get("/where", headers=FORWARDED).json
    # One proxy: only the address it appended counts, not what the client put before it.
    assert seen == {"client": "203.0.113.9", "scheme": "https", "host": "localhost", "prefix": ""}


def test_host_and_prefix_are_believed_each_by_its_own_setting(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(TRUSTED_PROXIES="1", TRUSTED_PROXY_HOST="1", TRUSTED_PROXY_PREFIX="1")
    add_where_am_i(app)
    seen = app.test_client().get("/where", headers=FORWARDED).json
    assert seen == {
        "client": "203.0.113.9",
        "scheme": "https",
        "host": "api.example.com",
        "prefix": "/shop",
    }


def test_a_client_cannot_steer_location_through_a_trusted_proxy(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(TRUSTED_PROXIES="1")
    body = {"email": "steer@example.com", "name": "Steer"}
    response = app.test_client().post("/api/users", json=body, headers=STEERING)
    assert response.status_code == 201
    assert response.headers["Location"].startswith("/api/users/")


def test_two_trusted_proxies_reach_one_address_further(make_app: Callable[..., Flask]) -> None:
    app = make_app(TRUSTED_PROXIES="2")
    add_where_am_i(app)
    seen: Any = app.test_client().get("/where", headers=FORWARDED).json
    assert seen["client"] == "198.51.100.66"


def test_a_body_over_the_limit_is_a_413_problem(make_app: Callable[..., Flask]) -> None:
    app = make_app(MAX_CONTENT_LENGTH="100")
    body = {"email": "big@example.com", "name": "x" * 200}
    response = app.test_client().post("/api/users", json=body)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.json is not None
    assert response.json["status"] == 413
    assert_security_headers(response)
    with app.app_context():
        users = _db.session.scalar(select(func.count(User.id)))
    assert users == 0


def test_the_default_limit_is_one_mebibyte(client: FlaskClient) -> None:
    just_over = b"x" * (1024 * 1024 + 1)
    response = client.post("/api/users", data=just_over, content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_a_database_error_shows_no_sql(make_app: Callable[..., Flask]) -> None:
    app = make_app()

    @app.get("/bad-sql")
    def bad_sql() -> str:
        _db.session.execute(text("SELECT secret_col FROM no_such_table"))
        return "unreachable"

    response = app.test_client().get("/bad-sql")
    assert response.status_code in (500, 503)
    assert response.mimetype == "application/problem+json"
    body = response.get_data(as_text=True)
    for leak in ("SELECT", "secret_col", "no_such_table", "Traceback", "sqlalchemy"):
        assert leak not in body
