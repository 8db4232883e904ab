"""The commit modes: a request's status decides what its session commits.

Installed by :func:`init_app` in the autocommit modes only. The decision is taken once the
response is final, after every other after-request hook, so a hook that fails turns the response
into a 500 that commits nothing. Writes that a streamed body makes after that are the code's to
commit: left uncommitted, they are rolled back and refused loudly.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session

from .database import db, end_session, rollback
from .errors import database_problem
from .transactions import DECIDED, PENDING, REQUEST_UNIT, CommitMode, commit

logger = logging.getLogger(__name__)

LATE_WRITE = "wrote_after_response"
LATE_WRITE_MESSAGE = (
    "Writes made after the response status was sent (while streaming its body, say) were "
    "rolled back: the commit mode can no longer decide them. Commit them in the code: wrap "
    "them in transaction() or call commit_now()."
)


class UncommittedWrites(RuntimeError):
    """Writes were left uncommitted after the response status had decided the commit."""


def start_request() -> None:
    """Mark the request as the unit of work: its status will decide the commit."""
    g.setdefault(REQUEST_UNIT, PENDING)


def commit_request(response: Response) -> Response:
    """Commit the request's session if the mode says so for this status; roll back otherwise.

    A failed commit never leaves a 2xx/3xx behind: the session is rolled back and the response
    is replaced by the matching problem (409, 503 or 500), which the other hooks then see too.
    """
    already_decided = g.get(REQUEST_UNIT) == DECIDED
    setattr(g, REQUEST_UNIT, DECIDED)
    if already_decided or not db.session.registry.has():
        return response
    mode: CommitMode = current_app.config["DATABASE_COMMIT_MODE"]
    if not mode.commits(response.status_code):
        rollback()
        return response
    try:
        commit(db.session())
    except SQLAlchemyError as error:
        return current_app.process_response(database_problem(error))
    return response


def refuse_late_writes(error: BaseException | None = None) -> None:
    """When the request ends, roll back and refuse writes made after its status decided."""
    if g.get(REQUEST_UNIT) != DECIDED or not db.session.registry.has():
        return
    session = db.session()
    late = bool(session.new or session.dirty or session.deleted or session.info.get(LATE_WRITE))
    end_session(error)
    if late:
        logger.error(LATE_WRITE_MESSAGE)
        raise UncommittedWrites(LATE_WRITE_MESSAGE)


def _after_decision() -> bool:
    return has_app_context() and g.get(REQUEST_UNIT) == DECIDED


@event.listens_for(db.session.session_factory, "after_flush")
def _note_late_flush(session: Session, *_: object) -> None:
    if _after_decision():
        session.info[LATE_WRITE] = True


@event.listens_for(db.session.session_factory, "do_orm_execute")
def _note_late_statement(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and _after_decision():
        state.session.info[LATE_WRITE] = True


@event.listens_for(db.session.session_factory, "after_commit")
def _forget_late_writes(session: Session) -> None:
    session.info.pop(LATE_WRITE, None)


def init_app(app: Flask) -> None:
    """In the autocommit modes, let each request's status decide what it commits."""
    if app.config["DATABASE_COMMIT_MODE"] is CommitMode.MANUAL:
        return
    # First in, so it runs first: a before-request hook may already open a transaction() block.
    app.before_request_funcs.setdefault(None, []).insert(0, start_request)
    # Flask runs after-request hooks in reverse order of registration, so the hook placed first
    # runs last, after every hook added before or after it, by the app or by extensions.
    app.after_request_funcs.setdefault(None, []).insert(0, commit_request)
    app.teardown_appcontext(refuse_late_writes)
