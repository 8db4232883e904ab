"""The worker side of every queue: claim a job's row, run it, record how it ended.

A delivery first claims the row in one UPDATE that succeeds for one worker only: a job still
``queued``, or ``running`` under a lease that has expired (its worker was killed). A delivery
that claims nothing (the job is done, failed, or running elsewhere) does nothing, so duplicate
messages are harmless. The job's writes and its ``done`` state commit in one transaction.

While a job runs, a thread of its worker renews the lease every third of
``JOB_LEASE_SECONDS``: a job may run longer than its lease; a worker that dies stops renewing,
and its job is taken again once the lease runs out.

A transient database error (a lost connection, a deadlock, a serialization failure, a lock
timeout) runs the job again after a pause that doubles each time, at most ``JOB_RETRIES``
times; any other error is bad data, and fails the job at once with the reason.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ..context import app_context
from ..database import db, rollback
from ..transactions import transaction
from . import signals
from .models import Job, JobState, utc_now
from .registry import function_of

logger = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 30.0


def is_transient(error: BaseException) -> bool:
    """Whether running again may succeed: the database, not the job's data, was at fault."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError | PoolTimeout)


def claimable(job_id: int) -> Any:
    now = utc_now()
    lease_over = (Job.state == JobState.RUNNING) & (Job.lease_until < now)
    return (Job.id == job_id) & or_(Job.state == JobState.QUEUED, lease_over)


def lease_end() -> Any:
    return utc_now() + timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])


@dataclass(frozen=True)
class Claimed:
    """What a worker needs of a job it claimed (plain values: sessions come and go)."""

    id: int
    name: str
    payload: dict[str, Any]


def claim(job_id: int) -> Claimed | None:
    """Take the job for this worker until its lease ends; None when another has it or it ended."""
    claiming = (
        update(Job)
        .where(claimable(job_id))
        .values(state=JobState.RUNNING, lease_until=lease_end(), attempts=Job.attempts + 1)
    )
    with transaction():
        if db.session.execute(claiming).rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = db.session.execute(select(Job.name, Job.payload).where(Job.id == job_id)).one()
    return Claimed(job_id, row.name, row.payload)


def renew_lease(app: Flask, job_id: int, stop: threading.Event) -> None:
    while not stop.wait(app.config["JOB_LEASE_SECONDS"] / 3):
        try:
            with app_context(app), transaction():
                renewing = update(Job).where((Job.id == job_id) & (Job.state == JobState.RUNNING))
                db.session.execute(renewing.values(lease_until=lease_end()))
        except SQLAlchemyError as error:  # the next beat tries again; the lease may run out
            logger.warning("Job %s: the lease was not renewed: %s", job_id, error)


@contextmanager
def leased(job_id: int) -> Iterator[None]:
    """Renew the job's lease in a thread of its own (its own session) while the block runs."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stop = threading.Event()
    beat = threading.Thread(target=renew_lease, args=(app, job_id, stop), daemon=True)
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()


def finish(job_id: int, **values: Any) -> None:
    db.session.execute(update(Job).where(Job.id == job_id).values(lease_until=None, **values))


def backoff(attempt: int) -> float:
    """Seconds to wait before attempt ``attempt + 1``: the base, doubled each time, capped."""
    base = current_app.config["JOB_RETRY_BACKOFF_MS"] / 1000
    return float(min(base * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS))


def run(job_id: int) -> None:
    """Run one delivery of a job, in the current app context. Never raises for the job's sake:
    its row says how it ended (a database that stays down leaves it to its lease)."""
    try:
        job = claim(job_id)
    except SQLAlchemyError as error:
        logger.warning("Job %s not claimed, left to its lease: %s", job_id, error)
        return
    if job is None:
        return
    signals.started.send(job.name)
    try:
        with leased(job_id):
            attempt(job)
    except SQLAlchemyError as error:
        logger.warning("Job %s not recorded, left to its lease: %s", job_id, error)


def attempt(job: Claimed) -> None:
    """Run ``job`` until it succeeds, fails on bad data, or runs out of retries."""
    retries = current_app.config["JOB_RETRIES"]
    for number in range(1, retries + 2):
        try:
            with transaction():
                result = function_of(job.name)(job.payload)
                finish(job.id, state=JobState.DONE, result=result)
            return
        except Exception as error:
            rollback()
            db.session.remove()  # the next attempt, or the failure, on a clean session
            if not is_transient(error) or number > retries:
                fail(job, error, number)
                return
            signals.retried.send(job.name)
            logger.warning("Job %s hit %s; retry %s of %s", job.id, error, number, retries)
            time.sleep(backoff(number))


def fail(job: Claimed, error: Exception, attempts: int) -> None:
    reason = f"{type(error).__name__}: {error}"[:2000]
    if is_transient(error):
        reason = f"gave up after {attempts} attempts: {reason}"
    logger.error("Job %s (%s) failed: %s", job.id, job.name, reason)
    signals.failed.send(job.name)
    with transaction():
        finish(job.id, state=JobState.FAILED, error=reason)
