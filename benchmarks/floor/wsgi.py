"""The floor the baked app is measured against: Flask and the raw driver, nothing else.

The same endpoints, queries and JSON as the baked users API (list with a separate count, one
user, create), with one autocommit connection per worker process and no ORM, pool,
validation, error handling or middleware. ``DATABASE_URL`` picks psycopg (PostgreSQL) or the
standard library's sqlite3 (a file, in WAL mode).
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from typing import Any

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


def as_utc(moment: Any) -> str:
    if isinstance(moment, str):  # SQLite keeps CURRENT_TIMESTAMP as text, in UTC
        moment = datetime.fromisoformat(moment)
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).isoformat()


def user_json(row: tuple[Any, ...]) -> dict[str, Any]:
    return {"id": row[0], "email": row[1], "name": row[2], "created_at": as_utc(row[3])}


@app.get("/api/users")
def list_users() -> dict[str, Any]:
    page = int(request.args.get("page", 1))
    per_page = min(int(request.args.get("per_page", 20)), 100)
    rows = execute(LIST, (per_page, (page - 1) * per_page)).fetchall()
    total = execute(COUNT).fetchone()[0]
    items = [user_json(row) for row in rows]
    return {"items": items, "page": page, "per_page": per_page, "total": total}


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
