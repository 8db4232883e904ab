"""What the suite checks around tests: leaked connections, pending changes, query counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session, scoped_session
from sqlalchemy.pool import QueuePool

from {{ cookiecutter.project_slug }} import db


def engines(app: Flask) -> dict[str | None, Engine]:
    """The app's engines by bind key (None for the default database)."""
    with app.app_context():
        return dict(db.engines)


def dispose(app: Flask) -> None:
    """Close the pooled connections of every engine of ``app``."""
    for engine in engines(app).values():
        engine.dispose()


def checked_out(engine: Engine) -> int:
    """How many connections of ``engine``'s pool are in use right now."""
    return engine.pool.checkedout() if isinstance(engine.pool, QueuePool) else 0


def leaked_connections(apps: list[Flask]) -> list[str]:
    """Describe every pool of ``apps`` that still has a connection checked out."""
    return [
        f"{engine.url.render_as_string(hide_password=True)}: {count} checked out"
        for app in apps
        for engine in engines(app).values()
        if (count := checked_out(engine))
    ]


def pending_changes(session: Any) -> str | None:
    """Describe what a session still holds uncommitted, or None when it holds nothing."""
    held = {"new": session.new, "dirty": session.dirty, "deleted": session.deleted}
    described = [f"{len(objects)} {kind}" for kind, objects in held.items() if objects]
    return ", ".join(described) or None


WROTE = "wrote_uncommitted"  # on a session's info: its open transaction has sent writes


def unseen_writes(session: Any) -> str | None:
    """Describe what a request made now would not see: changes not yet flushed, and writes
    sent in a transaction not yet committed (the request reads on a connection of its own)."""
    unsent = pending_changes(session)
    if isinstance(session, scoped_session):
        session = session()
    if session.info.get(WROTE) and session.in_transaction():
        return ", ".join(filter(None, [unsent, "writes sent but not committed"]))
    return unsent


@event.listens_for(db.session.session_factory, "after_flush")
def _note_flush(session: Session, *_: Any) -> None:
    session.info[WROTE] = True


@event.listens_for(db.session.session_factory, "do_orm_execute")
def _note_write(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


@event.listens_for(db.session.session_factory, "after_commit")
@event.listens_for(db.session.session_factory, "after_rollback")
def _forget_writes(session: Session) -> None:
    session.info.pop(WROTE, None)


class QueryCounter:
    """Records the statements sent to the database while it is active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.statements.append(statement)

    @property
    def queries(self) -> list[str]:
        """The statements but a BEGIN (SQLite's is sent on the driver's connection now, but a
        test's own engine may still send one)."""
        return [sql for sql in self.statements if not sql.startswith("BEGIN")]

    @property
    def count(self) -> int:
        return len(self.queries)


@contextmanager
def listening(target: Any, **listeners: Callable[..., Any]) -> Iterator[None]:
    """SQLAlchemy event listeners on ``target`` (an engine, say), for the block only."""
    for name, listener in listeners.items():
        event.listen(target, name, listener)
    try:
        yield
    finally:
        for name, listener in listeners.items():
            event.remove(target, name, listener)


@contextmanager
def count_queries() -> Iterator[QueryCounter]:
    """Record every statement that any engine executes inside the block."""
    counter = QueryCounter()
    with listening(Engine, before_cursor_execute=counter):
        yield counter


@contextmanager
def assert_max_queries(limit: int) -> Iterator[QueryCounter]:
    """Fail when the block sends more than ``limit`` statements to the database."""
    with count_queries() as counter:
        yield counter
    if counter.count > limit:
        listing = "\n".join(f"  {number}. {sql}" for number, sql in enumerate(counter.queries, 1))
        raise AssertionError(f"Expected at most {limit} queries, ran {counter.count}:\n{listing}")
