"""The benchmark's load (wrk): only answers with the expected status count as requests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks.load import Endpoint, hammer

STATUS = 201


class Answers(BaseHTTPRequestHandler):
    """Answers every request with ``STATUS`` and notes each email a POST sends."""

    protocol_version = "HTTP/1.1"  # keep-alive, as wrk expects
    bodies: list[bytes] = []  # noqa: RUF012 - one list for the whole test server

    def answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.bodies.append(self.rfile.read(length))
        self.send_response(STATUS)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = answer

    def log_message(self, *_: object) -> None:  # no line per request on stderr
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Answers.bodies.clear()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_answers_with_the_expected_status_are_the_requests(server: str) -> None:
    measure = hammer(server, Endpoint("/api/users", expected=201, creates=True), 2, 1, "ok")
    assert measure.requests > 0 and measure.errors == 0
    assert measure.p50_ms > 0


def test_answers_with_another_status_are_errors_not_requests(server: str) -> None:
    measure = hammer(server, Endpoint("/api/users/1"), 2, 1, "wrong")  # expects 200, gets 201
    assert measure.requests == 0 and measure.errors > 0


def test_every_create_sends_an_email_of_its_own(server: str) -> None:
    measure = hammer(server, Endpoint("/api/users", expected=201, creates=True), 4, 1, "uniq")
    emails = [body for body in Answers.bodies if body]
    assert len(emails) >= measure.requests > 0
    assert len(set(emails)) == len(emails)
