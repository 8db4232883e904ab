"""When a session's work is committed: per request (commit modes) and per block.

The contract (the README states it for users):

- ``transaction()`` undoes only its own block when the block fails.
- In the autocommit modes, a request is the unit of work: its blocks do not commit on their own;
  the response status decides once the response is final, after every other after-request hook.
  ``commit_now()`` commits on the spot, for the rare view that must.
- In ``manual`` mode, and outside requests (commands, jobs, scripts), the outermost block
  commits the session, including work done before it.
- Once the response is decided (a streamed body is still being generated), the code decides
  again: blocks commit, and writes left uncommitted at the end are refused loudly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

from flask import g, has_app_context
from sqlalchemy.orm import Session, scoped_session

from .database import db, rollback

DEPTH_KEY = "transaction_depth"
# On ``g`` during a request of an autocommit mode: PENDING until the status decides, then
# DECIDED (or FAILED, when the commit failed and the error response is being made).
REQUEST_UNIT = "request_unit_of_work"
PENDING, DECIDED, FAILED = "pending", "decided", "failed"


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


def request_decides(session: Session) -> bool:
    """Whether ``session`` is a request's whose status has yet to decide its commit."""
    return (
        has_app_context()
        and g.get(REQUEST_UNIT) in (PENDING, FAILED)
        and db.session.registry.has()
        and db.session() is session
    )


@contextmanager
def transaction(session: Session | scoped_session[Session] | None = None) -> Iterator[Session]:
    """Run a block as one unit: when it fails, its own work is undone and the error re-raised.

    A session that already holds work (an earlier query, or an enclosing block) gets a
    SAVEPOINT for the block. The outermost block commits, unless it runs in a request whose
    status decides (the autocommit modes). Works as a decorator too (``@transaction()``).
    """
    scoped = db.session if session is None else session
    target: Session = scoped() if isinstance(scoped, scoped_session) else scoped
    depth = target.info.get(DEPTH_KEY, 0)
    target.info[DEPTH_KEY] = depth + 1
    try:
        if target.in_transaction():
            with target.begin_nested():
                yield target
        else:  # nothing precedes the block: undoing the whole session undoes only the block
            try:
                yield target
                target.flush()
            except BaseException:
                rollback(target)  # a dropped connection must not hide the block's own error
                raise
        if not depth and not request_decides(target):
            commit(target)
    finally:
        target.info[DEPTH_KEY] = depth


def commit(session: Session) -> None:
    """Commit; when that fails, leave the session rolled back and clean, and re-raise."""
    try:
        session.commit()
    except BaseException:
        rollback(session)
        raise


def commit_now() -> None:
    """Commit the session's work now, whatever the commit mode says about the response.

    For the rare view that must commit before it answers (a form post that redirects under
    ``autocommit``, say). A failure raises, and the error handlers answer 409/503/500.
    """
    if db.session.info.get(DEPTH_KEY):
        raise RuntimeError(
            "commit_now() was called inside a transaction() block. Call it after the block."
        )
    commit(db.session())
