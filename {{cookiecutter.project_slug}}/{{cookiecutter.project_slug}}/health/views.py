"""``/healthz`` says the process is up; ``/readyz`` says it can reach every database, and the
job queue's broker when the project has one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app
from sqlalchemy.exc import SQLAlchemyError

from ..database import db, ping, rollback
from ..engine import pool_statistics
from ..errors import problem

bp = Blueprint("health", __name__)
BROKER = "jobs"  # the app's job queue broker, in app.extensions, when there is a queue


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers; the database is not touched."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> dict[str, Any] | Response:
    """Ping each database and report its pool; 503 when one cannot be reached."""
    for key, bind in db.engines.items():
        try:
            ping(bind)
        except SQLAlchemyError as error:
            rollback()
            name = key or "default"
            current_app.logger.warning("Readiness check failed for %s: %s", name, error)
            return problem(503, f"Database {name!r} is unreachable.")
    rollback()  # hand the connections back before reading the pools
    pools = {key or "default": pool_statistics(bind.engine) for key, bind in db.engines.items()}
    body: dict[str, Any] = {"status": "ok", "databases": pools}
    broker = current_app.extensions.get(BROKER)
    if broker is not None:
        try:
            broker.ping()
        except Exception as error:  # whatever the client raises: the broker is not there
            current_app.logger.warning("Readiness check failed for the broker: %s", error)
            return problem(503, "The job queue's broker is unreachable.")
        body["broker"] = {"status": "ok"}
    return body
