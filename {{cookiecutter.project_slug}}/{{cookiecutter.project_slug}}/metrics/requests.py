"""Requests: how many, and how long each took, by endpoint name and status class.

Measured around the whole WSGI app, so the time includes every hook and the commit, and the
status is the one the client got. Labels are endpoint names (``users.get_user``), never paths.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from flask import Flask, request
from prometheus_client import Counter, Histogram

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ENDPOINT_KEY = "metrics.endpoint"
UNMATCHED = "unmatched"  # no route matched: a 404 or 405 before any view ran
LABELS = ("endpoint", "status")

REQUESTS = Counter("http_requests", "Requests answered.", LABELS)
DURATION = Histogram(
    "http_request_duration_seconds",
    "Time from receiving a request to handing back its response.",
    LABELS,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


@cache
def series(endpoint: str, status: str) -> tuple[Counter, Histogram]:
    """The count and the timing of one endpoint and status class (few: looked up once)."""
    return REQUESTS.labels(endpoint, status), DURATION.labels(endpoint, status)


class RequestMetrics:
    """WSGI middleware: counts and times each request by the endpoint the app matched."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status = ["5xx"]  # what an exception that escapes the app turns into

        def recording_start_response(status_line: str, *args: Any) -> Any:
            status[0] = f"{status_line[:1]}xx"
            return start_response(status_line, *args)

        try:
            return self.app(environ, recording_start_response)
        finally:
            count, duration = series(environ.get(ENDPOINT_KEY, UNMATCHED), status[0])
            count.inc()
            duration.observe(time.perf_counter() - started)


def note_endpoint() -> None:
    """Leave the matched endpoint's name where the middleware reads it."""
    request.environ[ENDPOINT_KEY] = request.endpoint or UNMATCHED


def init_app(app: Flask) -> None:
    app.before_request(note_endpoint)
    app.wsgi_app = RequestMetrics(app.wsgi_app)  # type: ignore[method-assign]
