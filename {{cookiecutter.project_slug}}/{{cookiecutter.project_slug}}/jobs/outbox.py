"""Enqueue on commit: a job exists only if the transaction that submits it commits.

``submit`` adds the job's row to the caller's transaction (a request's, or a ``transaction()``
block's) and notes its id on the session. Once the outermost transaction commits, the noted
ids go to the broker; a rollback (of the whole session, or of the SAVEPOINT the row was added
in) forgets them with the row. A broker that cannot be reached leaves the row ``queued``: the
worker side re-sends it (``resend.py``). Delivery is therefore at least once: jobs must be
idempotent, and the worker's claim on the row runs each delivery's work at most once at a time.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from ..database import db
from . import signals
from .broker import Broker, broker_of
from .cli import worker_command
from .models import Job
from .registry import function_of

logger = logging.getLogger(__name__)

PENDING = "jobs_to_send"  # on session.info: [(job id, the transaction its row was added in)]


def submit(name: str, payload: dict[str, Any]) -> Job:
    """Add a job to the current transaction; it is sent to the broker once that commits.

    :raise BadJob: no job has this name.
    """
    function_of(name)  # an unknown name fails in the caller, not later in a worker
    job = Job(name=name, payload=payload)
    session = db.session()
    session.add(job)
    session.flush()  # the id, to send
    remember(session, job.id)
    return job


def submit_now(name: str, payload: dict[str, Any]) -> Job:
    """Enqueue now: commit the job's row in a session of its own and send it, whatever the
    current transaction does afterwards."""
    function_of(name)
    with db.session.session_factory() as own:
        job = Job(name=name, payload=payload)
        own.add(job)
        own.flush()
        remember(own, job.id)
        own.commit()
    return job


def remember(session: Session, job_id: int) -> None:
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(PENDING, []).append((job_id, transaction))


def inside(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    """Whether ``transaction`` is ``ended`` or one nested in it."""
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(db.session.session_factory, "after_soft_rollback")
def _forget_rolled_back(session: Session, ended: SessionTransaction) -> None:
    pending = session.info.get(PENDING)
    if pending:
        session.info[PENDING] = [item for item in pending if not inside(item[1], ended)]


@event.listens_for(db.session.session_factory, "after_commit")
def _send_committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT released: the rows are not committed yet
    pending = session.info.pop(PENDING, None)
    if pending:
        send(broker_of(current_app), [job_id for job_id, _ in pending])


def send(broker: Broker, job_ids: list[int]) -> None:
    """Hand committed jobs to the broker; never raise: what fails stays queued, and is re-sent."""
    try:
        broker.queue.send(job_ids)
    except Exception as error:  # the broker is unreachable, say: the rows are the record
        logger.warning(
            "Jobs %s stay queued, to be re-sent: the broker failed (%s: %s)",
            job_ids,
            type(error).__name__,
            error,
        )
        return
    signals.sent.send(broker, count=len(job_ids))


def init_app(app: Flask) -> None:
    """Give ``app`` its broker (connected on first use) and the ``worker`` command."""
    app.extensions[Broker.EXTENSION] = Broker(app)
    app.cli.add_command(worker_command)
