"""Clients for a served app: one keep-alive connection each, and a mix of users API calls.

:func:`drive` runs many clients at once for a bounded time and number of requests, and counts
what came back for each kind of request.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

REQUEST_SECONDS = 15  # per request: a socket that hangs fails the test instead of stalling it
JSON = {"Content-Type": "application/json"}
# A closed keep-alive connection shows up on the next request as one of these.
CLOSED = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    location: str | None = None

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Client:
    """One keep-alive HTTP connection, reopened when the server has closed it."""

    def __init__(self, base: str, timeout: float = REQUEST_SECONDS) -> None:
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=timeout
        )
        self.reconnects = 0

    def send(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """Send one request and read the whole response.

        A request that finds its reused connection closed by the server (an idle keep-alive
        timeout, a recycled worker) never reached the app, so it is sent once more on a new one.
        """
        for attempt in range(2):
            reused = self.connection.sock is not None
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                data = response.read()
            except CLOSED:
                self.connection.close()
                if not reused or attempt:
                    raise
                self.reconnects += 1
                continue
            return Reply(
                response.status,
                response.getheader("Content-Type", ""),
                data,
                response.getheader("Location"),
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def send_json(self, method: str, path: str, payload: Any) -> Reply:
        return self.send(method, path, json.dumps(payload).encode(), JSON)

    def connect(self) -> None:
        """Open the connection now, so that a later request starts without a handshake."""
        self.connection.connect()

    def close(self) -> None:
        self.connection.close()


@dataclass
class Tally:
    """What the clients got back, as (request kind, status) → count."""

    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    reconnects: int = 0
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def count(self, predicate: Callable[[str, int], bool]) -> int:
        return sum(n for (kind, status), n in self.statuses.items() if predicate(kind, status))

    def server_errors(self) -> int:
        return self.count(lambda _kind, status: status >= 500)

    def unexpected(self) -> int:
        """Answers other than what each kind of request gets when all is well."""
        return self.count(lambda kind, status: status != EXPECTED[kind])

    def add(self, other: Tally) -> None:
        self.statuses.update(other.statuses)
        self.reconnects += other.reconnects


# What each kind of request answers when all is well.
EXPECTED = {"list": 200, "get": 200, "create": 201, "update": 200}
# How often each kind is sent, relative to the others.
WEIGHTS = {"list": 4, "get": 4, "create": 1, "update": 1}


def mixed_requests(base: str, name: str, until: float, limit: int, seed: int) -> Tally:
    """One client: create a user of its own, then send a random mix until ``until``.

    Lists pages, reads its own user or one of its own, creates more, renames its first.
    """
    client = Client(base)
    rng = random.Random(seed)
    tally = Tally()
    ids: list[int] = []
    kinds = list(WEIGHTS)
    weights = list(WEIGHTS.values())
    try:
        for number in range(limit):
            if time.monotonic() >= until:
                break
            kind = "create" if not ids else rng.choices(kinds, weights)[0]
            if kind == "create":
                payload = {"email": f"{name}.{number}@example.com", "name": f"{name} {number}"}
                reply = client.send_json("POST", "/api/users", payload)
                if reply.status == 201:
                    ids.append(reply.json()["id"])
            elif kind == "list":
                page = rng.randint(1, 5)
                reply = client.send("GET", f"/api/users?page={page}&per_page=20")
            elif kind == "get":
                reply = client.send("GET", f"/api/users/{rng.choice(ids)}")
            else:
                reply = client.send_json(
                    "PATCH", f"/api/users/{ids[0]}", {"name": f"{name} v{number}"}
                )
            tally.statuses[kind, reply.status] += 1
    finally:
        tally.reconnects = client.reconnects
        client.close()
    return tally


def drive(
    base: str,
    clients: int,
    seconds: float,
    *,
    label: str,
    limit: int = 100_000,
    during: Callable[[], None] | None = None,
) -> Tally:
    """Run ``clients`` concurrent clients for ``seconds`` (each at most ``limit`` requests).

    ``during`` runs in this thread while they do; its failure fails the run. The clients'
    own failures (a timeout, a refused connection) are raised here too.
    """
    started = time.monotonic()
    until = started + seconds
    total = Tally()
    with ThreadPoolExecutor(max_workers=clients, thread_name_prefix=label) as pool:
        futures = [
            pool.submit(mixed_requests, base, f"{label}{i}", until, limit, seed=i)
            for i in range(clients)
        ]
        try:
            if during is not None:
                during()
        finally:
            for future in futures:
                total.add(future.result(timeout=seconds + 2 * REQUEST_SECONDS))
    total.seconds = time.monotonic() - started
    return total


class Sampler(threading.Thread):
    """Calls ``measure`` every ``interval`` seconds until stopped (or ``seconds`` pass)."""

    def __init__(self, measure: Callable[[], int], interval: float, seconds: float) -> None:
        super().__init__(daemon=True, name="sampler")
        self.measure = measure
        self.interval = interval
        self.deadline = time.monotonic() + seconds
        self.samples: list[int] = []
        self.error: BaseException | None = None
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            while not self._stop_event.is_set() and time.monotonic() < self.deadline:
                self.samples.append(self.measure())
                self._stop_event.wait(self.interval)
        except BaseException as error:  # reported by stop(), in the test's thread
            self.error = error

    def stop(self) -> list[int]:
        self._stop_event.set()
        self.join(timeout=10)
        assert not self.is_alive(), "the sampler did not stop"
        if self.error is not None:
            raise self.error
        return self.samples
