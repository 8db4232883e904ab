"""When the database misbehaves the served app answers 503, never 500, and recovers alone.

Three faults: the server ends every connection of the app mid-load; the server becomes
unreachable (a proxy in between is cut) and later comes back; every pooled connection is
stuck behind a lock, so requests time out waiting for one.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from .http import call, free_port
from .proxy import Proxy
from .servers import SERVERS, fresh_database
from .serving import ServedApp, Watcher, migrate, serve, serve_on_new_database
from .traffic import EXPECTED, Client, drive

pytestmark = pytest.mark.slow

PROBLEM = "application/problem+json"


def assert_problem(reply: tuple[int, dict[str, str], object], status: int) -> None:
    code, headers, body = reply
    assert (code, headers["Content-Type"]) == (status, PROBLEM), body
    assert isinstance(body, dict)
    assert body["status"] == status


def wait_for_status(base: str, path: str, status: int, seconds: float) -> float:
    """Poll ``path`` until it answers ``status``; return how long that took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if call(base, "GET", path, timeout=seconds)[0] == status:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{path} did not answer {status} within {seconds}s")


# -- the server ends the app's connections mid-load -----------------------------------------


def test_connections_ended_by_the_server_mid_load(production_app: ServedApp) -> None:
    ended: list[int] = []

    with Watcher(production_app) as watcher:

        def end_connections_twice() -> None:
            for _ in range(2):
                time.sleep(1.5)
                ended.append(watcher.terminate_connections())

        tally = drive(production_app.base, 16, 5, label="fault", during=end_connections_twice)
        created = watcher.count("SELECT count(*) FROM users WHERE email LIKE 'fault%'")

    unavailable = tally.count(lambda _kind, status: status == 503)
    print(
        f"\nfault: ended {ended} connections; {tally.requests} requests in "
        f"{tally.seconds:.1f}s, "
        f"{unavailable} answered 503, {dict(sorted(tally.statuses.items()))}",
        file=sys.stderr,
    )
    assert sum(ended) > 0
    assert tally.server_errors() == unavailable
    assert tally.count(lambda kind, status: status not in (EXPECTED[kind], 503)) == 0
    # A create cut off while committing may or may not have been saved; no other may differ.
    assert tally.statuses["create", 201] <= created
    assert created <= tally.statuses["create", 201] + tally.statuses["create", 503]
    assert_recovered(production_app)


def assert_recovered(served: ServedApp) -> None:
    """A burst right after the fault: every request answers as it does on a calm day."""
    client = Client(served.base)
    try:
        users = []
        for number in range(20):
            payload = {
                "email": f"after.{number}@example.com",
                "name": f"After {number}",
            }
            reply = client.send_json("POST", "/api/users", payload)
            assert reply.status == 201, reply
            users.append(reply.json())
        for user in users:
            assert client.send("GET", f"/api/users/{user['id']}").json() == user
            renamed = client.send_json("PATCH", f"/api/users/{user['id']}", {"name": "Renamed"})
            assert (renamed.status, renamed.json()["name"]) == (200, "Renamed")
        duplicate = client.send_json(
            "POST", "/api/users", {"email": users[0]["email"], "name": "X"}
        )
        assert duplicate.status == 409
        listed = client.send("GET", "/api/users?per_page=1").json()["total"]
    finally:
        client.close()
    with Watcher(served) as watcher:
        assert listed == watcher.count("SELECT count(*) FROM users")
        assert watcher.count("SELECT count(*) FROM users WHERE name = 'Renamed'") == len(users)


# -- the server becomes unreachable, then comes back -----------------------------------------


@pytest.fixture
def proxied_app(
    postgres_project: Path, postgres_python: Path, tmp_path: Path
) -> Iterator[tuple[ServedApp, Proxy]]:
    """The app served with its database behind a proxy that the test can cut."""
    server = make_url(SERVERS["postgresql"])
    with fresh_database("postgresql", "proxy") as url:
        migrate(postgres_project, postgres_python, url)
        port = free_port()
        through_proxy = make_url(url).set(port=port).render_as_string(hide_password=False)
        with (
            Proxy((server.host or "127.0.0.1", server.port or 5432), port) as proxy,
            serve(
                postgres_project,
                postgres_python,
                url,
                tmp_path,
                app_database_url=through_proxy,
                # Only a crash may replace a worker here, not routine recycling.
                GUNICORN_MAX_REQUESTS="0",
            ) as served,
        ):
            yield served, proxy


def test_an_unreachable_database_is_503_until_it_is_back(
    proxied_app: tuple[ServedApp, Proxy],
) -> None:
    served, proxy = proxied_app
    base = served.base
    status, headers, user = call(
        base, "POST", "/api/users", {"email": "a@example.com", "name": "A"}
    )
    assert status == 201
    workers = served.worker_pids()
    assert len(workers) == 2

    proxy.stop()
    timings = []
    for _ in range(6):  # new connections each time, so both workers answer some
        started = time.monotonic()
        reply = call(base, "GET", "/readyz", timeout=30)
        timings.append(time.monotonic() - started)
        assert_problem(reply, 503)
    assert_problem(call(base, "GET", headers["Location"]), 503)
    assert_problem(call(base, "GET", "/api/users"), 503)
    assert_problem(call(base, "POST", "/api/users", {"email": "b@example.com", "name": "B"}), 503)
    assert call(base, "GET", "/healthz")[0] == 200
    assert served.process.poll() is None
    assert served.worker_pids() == workers

    proxy.start()
    back_after = wait_for_status(base, "/readyz", 200, seconds=15)
    assert call(base, "GET", headers["Location"])[2] == user
    assert call(base, "POST", "/api/users", {"email": "b@example.com", "name": "B"})[0] == 201
    assert call(base, "GET", "/api/users")[2]["total"] == 2
    assert served.worker_pids() == workers
    print(
        f"\nunreachable: /readyz answered 503 in {min(timings) * 1000:.0f}-"
        f"{max(timings) * 1000:.0f} ms (pool timeout {served.settings['DB_POOL_TIMEOUT']} s); "
        f"ready again {back_after:.2f}s after the proxy came back; workers kept {sorted(workers)}",
        file=sys.stderr,
    )
    assert max(timings) < int(served.settings["DB_POOL_TIMEOUT"])


# -- every pooled connection is stuck ------------------------------------------------------


@pytest.fixture
def one_connection_app(
    postgres_project: Path, postgres_python: Path, tmp_path: Path
) -> Iterator[ServedApp]:
    """One worker of four threads sharing a single connection, given up on after 1 s."""
    with serve_on_new_database(
        postgres_project,
        postgres_python,
        tmp_path,
        "pool",
        gunicorn_args=("--threads", "4"),
        WEB_CONCURRENCY="1",
        DB_POOL_SIZE="1",
        DB_MAX_OVERFLOW="0",
        DB_POOL_TIMEOUT="1",
    ) as served:
        yield served


def test_requests_that_wait_too_long_for_a_connection_are_503(
    one_connection_app: ServedApp,
) -> None:
    served = one_connection_app
    locker = create_engine(served.database_url, connect_args={"connect_timeout": 5})
    try:
        with locker.connect() as connection, ThreadPoolExecutor(max_workers=3) as pool:
            # Hold the users table, so the request that gets the one connection waits for it.
            connection.execute(text("LOCK TABLE users IN ACCESS EXCLUSIVE MODE"))
            started = time.monotonic()
            requests = [pool.submit(call, served.base, "GET", "/api/users") for _ in range(3)]
            time.sleep(3)  # longer than the pool timeout, well within the statement timeout
            connection.rollback()
            replies = [request.result(timeout=30) for request in requests]
            elapsed = time.monotonic() - started
    finally:
        locker.dispose()
    statuses = sorted(status for status, _, _ in replies)
    print(f"\npool exhausted: statuses {statuses} in {elapsed:.1f}s", file=sys.stderr)
    assert statuses == [200, 503, 503]
    for reply in replies:
        if reply[0] == 503:
            assert_problem(reply, 503)
    assert call(served.base, "GET", "/api/users")[0] == 200
