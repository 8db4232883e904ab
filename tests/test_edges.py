"""The API's edge cases, as a client meets them through gunicorn.

The baked suite checks each through the test client; this checks that the real server hands
the app what the test client imitates: a chunked body ends where the client ended it, so one
over ``MAX_CONTENT_LENGTH`` is a 413 and one exactly at it is read whole.

Bodies over the limit stay small: the app answers without reading the rest, and a client still
sending a large body when the server closes may see the connection reset instead of the 413.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .serving import ServedApp, serve_on_new_database

pytestmark = pytest.mark.slow

LIMIT = 30_000  # room for the deeply nested body below


def user_body(size: int) -> bytes:
    """A JSON body of exactly ``size`` bytes whose fields are invalid (a 422 once it is read)."""
    start, end = b'{"email": "not-an-email", "name": "', b'"}'
    return start + b"x" * (size - len(start) - len(end)) + end


def send(base: str, method: str, path: str, body: bytes | None, *, chunked: bool) -> int:
    """Send ``body`` as JSON, in 100-byte chunks or with a Content-Length; return the status."""
    data: bytes | Iterator[bytes] | None = body
    if body is not None and chunked:
        # urllib frames an iterable body of unknown length as Transfer-Encoding: chunked.
        data = iter([body[i : i + 100] for i in range(0, len(body), 100)])
    request = urllib.request.Request(base + path, data=data, method=method)  # noqa: S310
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        assert error.headers.get_content_type() == "application/problem+json"
        assert "Allow" not in error.headers
        return int(error.code)


@pytest.fixture(scope="module")
def served(
    postgres_project: Path, postgres_python: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedApp]:
    workdir = tmp_path_factory.mktemp("edges")
    with serve_on_new_database(
        postgres_project, postgres_python, workdir, "edges", MAX_CONTENT_LENGTH=str(LIMIT)
    ) as app:
        yield app


@pytest.mark.parametrize(
    ("method", "path", "body", "chunked", "status"),
    [
        ("POST", "/api/users", user_body(LIMIT + 1), True, 413),
        ("POST", "/api/users", user_body(LIMIT * 2), True, 413),
        ("POST", "/api/users", user_body(LIMIT + 1), False, 413),
        ("POST", "/api/users", user_body(LIMIT), True, 422),
        ("POST", "/api/users", b"[" * 10_000 + b"]" * 10_000, True, 400),
        ("PATCH", "/api/users/0", json.dumps({"name": "Ada"}).encode(), False, 404),
        ("DELETE", "/api/users/2147483648", None, False, 404),
        ("GET", "/api/users?per_page=1000000000", None, False, 200),
    ],
    ids=["chunked over", "chunked twice over", "sized over", "chunked at the limit",
         "deep arrays", "patch id 0", "delete id past int32", "huge per_page"],
)  # fmt: skip
def test_edge_cases_under_gunicorn(
    served: ServedApp, method: str, path: str, body: bytes | None, chunked: bool, status: int
) -> None:
    assert send(served.base, method, path, body, chunked=chunked) == status
