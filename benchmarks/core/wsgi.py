"""A second floor: the floor's endpoints and SQL through SQLAlchemy Core, nothing else.

It stands between the raw-driver floor and the baked app: an engine and its pool (5
connections per worker process, opened on first use, after the fork), statements built once,
the floor's request parsing and JSON (``floor/bodies.py``), and no events, hooks, sessions,
validation or metrics. Reads and the create run in autocommit, as the floor's do.
``DATABASE_URL`` picks the database (SQLite as a file, in WAL mode). What separates it from
the floor is SQLAlchemy's own cost; what separates the app from it is the app's.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from bodies import page_args, page_json, user_json
from flask import Flask, abort, request
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
)

app = Flask(__name__)
users = Table(
    "users",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("email", String),
    Column("name", String),
    Column("created_at", DateTime(timezone=True)),
)
COLUMNS = (users.c.id, users.c.email, users.c.name, users.c.created_at)
PAGE = select(*COLUMNS).order_by(users.c.id).limit(bindparam("limit", type_=Integer))
PAGE = PAGE.offset(bindparam("offset", type_=Integer))
COUNT = select(func.count()).select_from(users)
ONE = select(*COLUMNS).where(users.c.id == bindparam("user_id"))
CREATE = insert(users).returning(*COLUMNS)


@cache  # one engine per worker process: the first request, after the fork, makes it
def engine() -> Engine:
    url = os.environ["DATABASE_URL"]
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=5, isolation_level="AUTOCOMMIT")
    made = create_engine(url, pool_size=5, connect_args={"timeout": 5})

    @event.listens_for(made, "connect")
    def autocommit_wal(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # autocommit, as the floor's connection
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    return made


@app.get("/api/users")
def list_users() -> dict[str, Any]:
    page, per_page = page_args(request.args)
    with engine().connect() as connection:
        bounds = {"limit": per_page, "offset": (page - 1) * per_page}
        rows = connection.execute(PAGE, bounds).all()
        total = connection.execute(COUNT).scalar_one()
    return page_json(rows, page, per_page, total)


@app.get("/api/users/<int:user_id>")
def get_user(user_id: int) -> dict[str, Any]:
    with engine().connect() as connection:
        row = connection.execute(ONE, {"user_id": user_id}).first()
    if row is None:
        abort(404)
    return user_json(row)


@app.post("/api/users")
def create_user() -> tuple[dict[str, Any], int, dict[str, str]]:
    payload = request.get_json()
    values = {"email": payload["email"].lower(), "name": payload["name"].strip()}
    with engine().connect() as connection:
        row = connection.execute(CREATE, values).one()
    return user_json(row), 201, {"Location": f"/api/users/{row[0]}"}


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
