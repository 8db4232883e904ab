"""Measured inside a baked project's virtualenv: list pages by table size, and round trips.

    python probe.py <package> <database url> <sizes, e.g. 1000,100000> <requests per case>

Prints one JSON object. The app is built with production settings; requests go through its
test client, so the times are the app's and the database's, without HTTP or gunicorn. Rows are
added with one ``INSERT ... SELECT`` per size (``generate_series`` on PostgreSQL, a recursive
query on SQLite), which seeds a million rows in seconds.
"""

from __future__ import annotations

import importlib
import json
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

FILL = {
    "postgresql": (
        "INSERT INTO users (email, name) SELECT 'user' || g || '@example.com', 'User ' || g "
        "FROM generate_series(CAST(:start AS integer), CAST(:stop AS integer)) AS g"
    ),
    "sqlite": (
        "WITH RECURSIVE g(n) AS (SELECT :start UNION ALL SELECT n + 1 FROM g WHERE n < :stop) "
        "INSERT INTO users (email, name) SELECT 'user' || n || '@example.com', 'User ' || n "
        "FROM g"
    ),
}


def list_cases(size: int, cursor_of: Callable[[int], str]) -> dict[str, str]:
    """The list pages measured at each table size: the first, and a deep one both ways."""
    deep = max(1, size - 100)  # the page that starts 100 rows before the end
    return {
        "first page, with total": "/api/users",
        "first page, total=false": "/api/users?total=false",
        "deep page, offset": f"/api/users?page={deep // 20 + 1}&total=false",
        "deep page, keyset": f"/api/users?after={cursor_of(deep)}",
    }


def median_ms(request: Callable[[], Any], count: int) -> float:
    for _ in range(3):  # warm up: connections, statement caches
        request()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        request()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _open(dbapi_connection: Any) -> bool:
    """Whether psycopg has a transaction open on this connection (0 is IDLE)."""
    return bool(dbapi_connection.info.transaction_status)


@contextmanager
def round_trips(engine: Engine) -> Iterator[list[int]]:
    """Count what reaches the server: statements, pings, and on PostgreSQL the BEGIN psycopg
    sends before a statement that opens a transaction (seen as a transaction open after a
    statement that found none) and a COMMIT or ROLLBACK only where a transaction is open.
    SQLite's BEGIN, COMMIT and ROLLBACK are statements of its own, counted too (in-process,
    not round trips)."""
    sent = [0]
    postgresql = engine.dialect.name == "postgresql"
    was_open: dict[int, bool] = {}

    def before(connection: Any, *_: Any) -> None:
        sent[0] += 1
        if postgresql:
            dbapi_connection = connection.connection.dbapi_connection
            was_open[id(dbapi_connection)] = _open(dbapi_connection)

    def after(connection: Any, *_: Any) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        if postgresql and _open(dbapi_connection) and not was_open.pop(id(dbapi_connection)):
            sent[0] += 1  # the BEGIN psycopg sent first

    def begins(_connection: Any) -> None:
        if not postgresql:  # SQLite's BEGIN, sent on the driver's connection (sqlite.py)
            sent[0] += 1

    def ends(connection: Any) -> None:
        if not postgresql or _open(connection.connection.dbapi_connection):
            sent[0] += 1

    real_ping = engine.dialect.do_ping

    def ping(dbapi_connection: Any) -> bool:
        sent[0] += 1
        return real_ping(dbapi_connection)

    listeners = {
        "before_cursor_execute": before,
        "after_cursor_execute": after,
        "begin": begins,
        "commit": ends,
        "rollback": ends,
    }
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    engine.dialect.do_ping = ping  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        for name, listener in listeners.items():
            event.remove(engine, name, listener)
        engine.dialect.do_ping = real_ping  # type: ignore[method-assign]


def count_round_trips(client: Any, engine: Engine) -> dict[str, float]:
    cases = {
        "list": lambda n: client.get("/api/users?page=5&per_page=20"),
        "get": lambda n: client.get("/api/users/50"),
        "create": lambda n: client.post(
            "/api/users", json={"email": f"probe{n}@example.com", "name": "Probe"}
        ),
    }
    counted = {}
    for name, case in cases.items():
        case(-1)
        with round_trips(engine) as sent:
            for number in range(20):
                case(number)
        counted[name] = sent[0] / 20
    return counted


def main() -> None:
    name, url, sizes, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    package = importlib.import_module(name)
    cursor_of = importlib.import_module(f"{name}.pagination").encode_cursor
    settings = {"APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                "DATABASE_URL": url, "ALLOW_SQLITE_IN_PRODUCTION": "1", "LOG_LEVEL": "ERROR",
                "SLOW_QUERY_MS": "100000"}  # fmt: skip
    config = importlib.import_module(f"{name}.config").config_for(settings)
    app = package.create_app(config)
    db = package.db
    client = app.test_client()
    results: dict[str, Any] = {"scale": {}}
    with app.app_context():
        engine = db.engine
        db.create_all()
    seeded = 0
    for size in map(int, sizes.split(",")):
        with engine.begin() as connection:
            connection.execute(
                text(FILL[engine.dialect.name]), {"start": seeded + 1, "stop": size}
            )
            connection.exec_driver_sql("ANALYZE")
        seeded = size
        results["scale"][size] = {
            case: median_ms(lambda path=path: client.get(path), count)
            for case, path in list_cases(size, cursor_of).items()
        }
        if "round_trips" not in results:
            results["round_trips"] = count_round_trips(client, engine)
    engine.dispose()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
