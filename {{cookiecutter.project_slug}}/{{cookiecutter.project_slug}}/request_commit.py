"""The commit modes: a request's status decides what its session commits.

:class:`App` takes the decision once the response is final: after every after-request hook,
the session cookie and ``request_finished``, so any of them that fails turns the response into
a 500 that commits nothing. :func:`init_app` turns it on in the autocommit modes. Writes that a
streamed body makes after that are the code's to commit: left uncommitted, they are rolled back
and refused loudly.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, has_app_context
from sqlalchemy import TextClause, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session

from .database import db, end_session, rollback
from .errors import database_problem
from .transactions import DECIDED, FAILED, PENDING, REQUEST_UNIT, CommitMode, commit

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


class App(Flask):
    """Flask, with the commit modes' decision taken as late as a response can still change."""

    def finalize_request(self, rv: Any, from_error_handler: bool = False) -> Response:
        response = super().finalize_request(rv, from_error_handler)
        if g.get(REQUEST_UNIT) != PENDING:
            return response  # manual mode, or a response already decided
        try:
            commit_request(self.config["DATABASE_COMMIT_MODE"], response.status_code)
        except SQLAlchemyError as error:
            # The error response goes through the hooks too (headers, request id): they see this
            # request a second time, and whatever they write now is rolled back.
            setattr(g, REQUEST_UNIT, FAILED)
            return super().finalize_request(database_problem(error), from_error_handler=True)
        return response


def commit_request(mode: CommitMode, status: int) -> None:
    """Commit the request's session if ``mode`` says so for ``status``; roll it back otherwise.

    :raise SQLAlchemyError: the commit failed; the session is rolled back and clean.
    """
    setattr(g, REQUEST_UNIT, DECIDED)
    if not db.session.registry.has():
        return
    if mode.commits(status):
        commit(db.session())
    else:
        rollback()


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


WRITING_SQL = ("INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE")


def _writes(state: ORMExecuteState) -> bool:
    if isinstance(state.statement, TextClause):  # text(): its first word says what it does
        return state.statement.text.lstrip().upper().startswith(WRITING_SQL)
    return state.is_insert or state.is_update or state.is_delete


@event.listens_for(db.session.session_factory, "do_orm_execute")
def _note_late_statement(state: ORMExecuteState) -> None:
    if _after_decision() and _writes(state):
        state.session.info[LATE_WRITE] = True


@event.listens_for(db.session.session_factory, "after_commit")
def _forget_late_writes(session: Session) -> None:
    session.info.pop(LATE_WRITE, None)


def init_app(app: Flask) -> None:
    """In the autocommit modes, let each request's status decide what it commits."""
    if app.config["DATABASE_COMMIT_MODE"] is CommitMode.MANUAL:
        return
    if not isinstance(app, App):
        raise TypeError("The commit modes need the app to be a request_commit.App.")
    # First in, so it runs first: a before-request hook may already open a transaction() block.
    app.before_request_funcs.setdefault(None, []).insert(0, start_request)
    app.teardown_appcontext(refuse_late_writes)
