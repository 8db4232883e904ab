"""Whether each database answers, as the landing page shows it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from ..database import db, ping, rollback


@dataclass(frozen=True)
class DatabaseStatus:
    name: str  # "default", or the bind key
    kind: str  # the dialect: sqlite, postgresql, mysql
    reachable: bool


def database_status() -> list[DatabaseStatus]:
    """Ask each database to answer once; one that cannot is reported, not raised."""
    found = []
    for key, engine in db.engines.items():
        try:
            ping(engine)
            reachable = True
        except SQLAlchemyError:
            rollback()
            reachable = False
        found.append(DatabaseStatus(key or "default", engine.dialect.name, reachable))
    rollback()  # hand the connections back: the page reads nothing else
    return found
