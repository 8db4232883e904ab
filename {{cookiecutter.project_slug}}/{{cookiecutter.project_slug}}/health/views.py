"""``/healthz`` says the process is up; ``/readyz`` says it can reach every database."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from sqlalchemy.exc import SQLAlchemyError
from typing_extensions import TypedDict

from ..database import db, ping, rollback
from ..engine import pool_statistics
from ..errors import problem
from ..openapi import documented

bp = Blueprint("health", __name__)


class HealthJSON(TypedDict):
    status: str  # "ok"


class ReadyJSON(TypedDict):
    """Each database's pool: its kind, and its limits and use where it has them."""

    status: str  # "ok"
    databases: dict[str, dict[str, str | int | float]]


@bp.get("/healthz")
@documented({200: HealthJSON})
def healthz() -> HealthJSON:
    """The process answers; the database is not touched."""
    return {"status": "ok"}


@bp.get("/readyz")
@documented({200: ReadyJSON}, errors={503: "A database is unreachable."})
def readyz() -> ReadyJSON | Response:
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
    return {"status": "ok", "databases": pools}
