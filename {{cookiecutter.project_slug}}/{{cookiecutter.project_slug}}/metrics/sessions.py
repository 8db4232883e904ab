"""Commits, rollbacks and failed commits of the outermost transaction, by commit mode.

Read from Session events, so it counts the same whichever code commits. A SAVEPOINT released
or rolled back is not counted; nor is a transaction that never reached the database. One that
ends without a commit, by ``rollback()`` or ``close()``, is a rollback: the database undoes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, has_app_context
from prometheus_client import Counter
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from .views import EXTENSION

COMMITS = Counter("db_commits", "Transactions committed.", ("mode",))
ROLLBACKS = Counter("db_rollbacks", "Transactions rolled back.", ("mode",))
FAILED_COMMITS = Counter("db_commit_failures", "Commits that failed (and rolled back).", ("mode",))
# What happened so far in the session's outermost transaction, kept in session.info.
STATE = "metrics_transaction"


def note(session: Session, what: str) -> None:
    """Remember ``what`` for the outermost transaction (a SAVEPOINT's events are ignored)."""
    if not session.in_nested_transaction():
        session.info.setdefault(STATE, set()).add(what)


def began(session: Session, *_: Any) -> None:
    # Even inside a SAVEPOINT: any connection begun means the outermost transaction has one.
    session.info.setdefault(STATE, set()).add("began")


def committing(session: Session) -> None:
    note(session, "committing")


def committed(session: Session) -> None:
    note(session, "committed")


def ended(session: Session, transaction: SessionTransaction) -> None:
    """Count the outermost transaction once it is over, if it reached the database."""
    if transaction.parent is not None or transaction.nested:
        return
    state = session.info.pop(STATE, set())
    if "began" not in state or not has_app_context() or EXTENSION not in current_app.extensions:
        return
    mode = current_app.config["DATABASE_COMMIT_MODE"].value
    if "committed" in state:
        COMMITS.labels(mode).inc()
    elif "committing" in state:
        FAILED_COMMITS.labels(mode).inc()
    else:
        ROLLBACKS.labels(mode).inc()


LISTENERS: dict[str, Callable[..., None]] = {
    "after_begin": began,
    "before_commit": committing,
    "after_commit": committed,
    "after_transaction_end": ended,
}


def watch(factory: sessionmaker[Any]) -> None:
    """Listen to the sessions ``factory`` makes; once per process, however many apps."""
    for name, listener in LISTENERS.items():
        if not event.contains(factory, name, listener):
            event.listen(factory, name, listener)
