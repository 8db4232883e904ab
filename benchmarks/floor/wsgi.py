"""The floor the baked app is measured against: Flask and the raw driver, nothing else.

The same endpoints, queries and JSON as the baked users API (list with a separate count, one
user, create), with one autocommit connection per worker process and no ORM, pool,
validation, error handling or middleware; ``bodies.py`` reads the request and shapes the JSON,
for both floors. ``DATABASE_URL`` picks psycopg (PostgreSQL) or the standard library's
sqlite3 (a file, in WAL mode).
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from bodies import page_args, page_json, user_json
from flask import Flask, abort, request

app = Flask(__name__)
_connection: Any = None

LIST = "SELECT id, email, name, created_at FROM users ORDER BY id LIMIT {p} OFFSET {p}"
COUNT = "SELECT count(*) FROM users"
ONE = "SELECT id, email, name, created_at FROM users WHERE id = {p}"
CREATE = "INSERT INTO users (email, name) VALUES ({p}, {p}) RETURNING id, email, name, created_at"


def connect() -> tuple[Any, str]:
    """A connection to ``DATABASE_URL`` in autocommit mode, and its parameter marker."""
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA busy_timeout=5000")
        return connection, "?"
    import psycopg  # here: the SQLite floor runs where psycopg is not installed

    url = url.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(url, autocommit=True), "%s"


def execute(sql: str, parameters: tuple[Any, ...] = ()) -> Any:
    """Run one statement on this worker's connection, opened on first use (after the fork)."""
    global _connection  # one connection per process is the point of the floor
    if _connection is None:
        _connection = connect()
    connection, marker = _connection
    return connection.execute(sql.format(p=marker), parameters)


@app.get("/api/users")
def list_users() -> dict[str, Any]:
    page, per_page = page_args(request.args)
    rows = execute(LIST, (per_page, (page - 1) * per_page)).fetchall()
    return page_json(rows, page, per_page, execute(COUNT).fetchone()[0])


@app.get("/api/users/<int:user_id>")
def get_user(user_id: int) -> dict[str, Any]:
    row = execute(ONE, (user_id,)).fetchone()
    if row is None:
        abort(404)
    return user_json(row)


@app.post("/api/users")
def create_user() -> tuple[dict[str, Any], int, dict[str, str]]:
    payload = request.get_json()
    row = execute(CREATE, (payload["email"].lower(), payload["name"].strip())).fetchone()
    return user_json(row), 201, {"Location": f"/api/users/{row[0]}"}


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
