"""Every error leaves as problem+json: unknown routes, wrong methods, bodies too large, crashes."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient


def test_unknown_route_is_404_problem(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": response.json["detail"],  # type: ignore[index]
    }


def test_wrong_method_is_405_problem_with_allow(client: FlaskClient) -> None:
    response = client.put("/api/users")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_a_crash_is_a_bare_500_problem(make_app: Any) -> None:
    app: Flask = make_app()

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("SELECT secret FROM internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    text = response.get_data(as_text=True)
    assert "secret" not in text
    assert "Traceback" not in text
    assert response.json["status"] == 500  # type: ignore[index]


LIMIT = 100


def user_body(size: int) -> bytes:
    """A JSON body of exactly ``size`` bytes whose fields are invalid (a 422 once it is read)."""
    start, end = b'{"email": "not-an-email", "name": "', b'"}'
    return start + b"x" * (size - len(start) - len(end)) + end


def chunked(body: bytes) -> dict[str, Any]:
    """A body as a chunked request reaches the app from gunicorn: no Content-Length, and a
    stream the server ends where the body does (``wsgi.input_terminated``)."""
    return {
        "input_stream": io.BytesIO(body),
        "headers": {"Transfer-Encoding": "chunked"},
        "environ_overrides": {"wsgi.input_terminated": True},
    }


@pytest.mark.parametrize(
    ("size", "framing", "status"),
    [
        (LIMIT + 1, "content-length", 413),
        (LIMIT + 1, "chunked", 413),
        (LIMIT * 100, "chunked", 413),
        (LIMIT, "content-length", 422),
        (LIMIT, "chunked", 422),
    ],
)
def test_a_body_over_the_limit_is_413_however_it_is_framed(
    make_app: Callable[..., Flask], size: int, framing: str, status: int
) -> None:
    app = make_app(MAX_CONTENT_LENGTH=str(LIMIT))
    body = user_body(size)
    sent = chunked(body) if framing == "chunked" else {"data": body}
    response = app.test_client().post("/api/users", content_type="application/json", **sent)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
