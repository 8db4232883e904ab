"""The outbox's other half: re-send jobs that a broker lost or a killed worker abandoned.

Every worker process runs :func:`start_resending`: every ``JOB_RESEND_SECONDS`` it finds rows
still ``queued`` that long after they were sent (the broker was unreachable after the commit,
say), and rows ``running`` past their lease (their worker died), marks them queued again, and
sends them. A killed job therefore runs again within ``JOB_LEASE_SECONDS`` plus
``JOB_RESEND_SECONDS``. Two workers may both send a row: its claim lets one run it.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update

from ..context import app_context
from ..database import db
from ..transactions import transaction
from .broker import broker_of
from .models import Job, JobState, utc_now
from .outbox import send

logger = logging.getLogger(__name__)
BATCH = 100


def stale() -> Any:
    now = utc_now()
    cutoff = now - timedelta(seconds=current_app.config["JOB_RESEND_SECONDS"])
    lost = (Job.state == JobState.QUEUED) & (Job.queued_at < cutoff)
    abandoned = (Job.state == JobState.RUNNING) & (Job.lease_until < now)
    return lost | abandoned


def resend_stale() -> list[int]:
    """Re-queue and send the stale jobs (a batch at most); return their ids."""
    with transaction():
        found = db.session.scalars(select(Job.id).where(stale()).order_by(Job.id).limit(BATCH))
        ids = []
        for job_id in found.all():
            requeue = update(Job).where((Job.id == job_id) & stale())
            requeue = requeue.values(state=JobState.QUEUED, queued_at=utc_now(), lease_until=None)
            if db.session.execute(requeue).rowcount == 1:  # type: ignore[attr-defined]
                ids.append(job_id)  # not taken by another worker's pass meanwhile
    if ids:
        logger.info("Re-sending jobs %s", ids)
        send(broker_of(current_app), ids)
    return ids


def resend_forever(app: Flask, stop: threading.Event) -> None:
    interval = app.config["JOB_RESEND_SECONDS"]
    while not stop.wait(interval):
        try:
            with app_context(app):
                resend_stale()
        except Exception:  # the database is down, say: try again next time
            logger.exception("Re-sending stale jobs failed")


def start_resending(app: Flask) -> threading.Event:
    """Run :func:`resend_stale` in a thread of this process; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=resend_forever, args=(app, stop), daemon=True, name="resend")
    thread.start()
    return stop
