"""When a session's work is committed: per request (commit modes) and per block.

``transaction()`` is the one way application code commits. The request hook installed by
:func:`init_app` applies ``DATABASE_COMMIT_MODE`` to whatever a view left in the session.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

from flask import Flask, Response, current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session

from .database import db, rollback
from .errors import database_problem

DEPTH_KEY = "transaction_depth"


class CommitMode(StrEnum):
    """What happens to a request's uncommitted work when the response is ready."""

    MANUAL = "manual"
    AUTOCOMMIT = "autocommit"
    AUTOCOMMIT_INCLUDE_REDIRECT = "autocommit_include_redirect"

    def commits(self, status: int) -> bool:
        """Whether a response with this status commits the request's session."""
        if self is CommitMode.AUTOCOMMIT:
            return 200 <= status < 300
        if self is CommitMode.AUTOCOMMIT_INCLUDE_REDIRECT:
            return 200 <= status < 400
        return False


def parse_commit_mode(raw: str) -> CommitMode:
    """Read ``DATABASE_COMMIT_MODE``; an unknown value names the valid ones."""
    try:
        return CommitMode(raw.strip().lower())
    except ValueError:
        valid = ", ".join(mode.value for mode in CommitMode)
        raise ValueError(f"DATABASE_COMMIT_MODE={raw!r} is not one of: {valid}.") from None


@contextmanager
def transaction(session: Session | scoped_session[Session] | None = None) -> Iterator[Session]:
    """Commit the block's work when it succeeds; roll it back and re-raise when it fails.

    Used inside another ``transaction()`` it becomes a SAVEPOINT: an inner failure rolls back
    only the inner work, and the outer block may catch it and go on. Works as a decorator
    too (``@transaction()``).
    """
    scoped = db.session if session is None else session
    target: Session = scoped() if isinstance(scoped, scoped_session) else scoped
    depth = target.info.get(DEPTH_KEY, 0)
    target.info[DEPTH_KEY] = depth + 1
    try:
        if depth:
            with target.begin_nested():
                yield target
            return
        try:
            yield target
            target.commit()
        except BaseException:
            rollback(target)  # a dropped connection must not hide the block's own error
            raise
    finally:
        target.info[DEPTH_KEY] = depth


def commit_request(response: Response) -> Response:
    """Apply the commit mode to the request's session once the response is known.

    A failed commit never leaves a 2xx/3xx behind: the session is rolled back and the response
    is replaced by the matching problem (409, 503 or 500).
    """
    if not db.session.registry.has():
        return response
    mode: CommitMode = current_app.config["DATABASE_COMMIT_MODE"]
    if not mode.commits(response.status_code):
        rollback()
        return response
    try:
        db.session.commit()
    except SQLAlchemyError as error:
        return database_problem(error)
    return response


def init_app(app: Flask) -> None:
    """Install the request hook unless nothing is ever committed for the code."""
    if app.config["DATABASE_COMMIT_MODE"] is not CommitMode.MANUAL:
        app.after_request(commit_request)
