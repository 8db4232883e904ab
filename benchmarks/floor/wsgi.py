"""The floor the baked app is measured against: Flask and the raw driver, nothing else.

The same endpoints, queries and JSON as the baked users API, with one autocommit connection
per worker process and no ORM, pool, validation, error handling or middleware.
"""

from __future__ import annotations

import os
from typing import Any

import psycopg
from flask import Flask, abort, request

app = Flask(__name__)
_connection: psycopg.Connection[Any] | None = None

LIST = (
    "SELECT id, email, name, created_at, count(*) OVER () FROM users "
    "ORDER BY id LIMIT %s OFFSET %s"
)
ONE = "SELECT id, email, name, created_at FROM users WHERE id = %s"


def connection() -> psycopg.Connection[Any]:
    """This worker's connection, opened on first use (after gunicorn has forked)."""
    global _connection  # one connection per process is the point of the floor
    if _connection is None:
        url = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
        _connection = psycopg.connect(url, autocommit=True)
    return _connection


def user_json(row: tuple[Any, ...]) -> dict[str, Any]:
    return {"id": row[0], "email": row[1], "name": row[2], "created_at": row[3].isoformat()}


@app.get("/api/users")
def list_users() -> dict[str, Any]:
    page = int(request.args.get("page", 1))
    per_page = min(int(request.args.get("per_page", 20)), 100)
    rows = connection().execute(LIST, (per_page, (page - 1) * per_page)).fetchall()
    total = rows[0][4] if rows else 0
    items = [user_json(row) for row in rows]
    return {"items": items, "page": page, "per_page": per_page, "total": total}


@app.get("/api/users/<int:user_id>")
def get_user(user_id: int) -> dict[str, Any]:
    row = connection().execute(ONE, (user_id,)).fetchone()
    if row is None:
        abort(404)
    return user_json(row)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
