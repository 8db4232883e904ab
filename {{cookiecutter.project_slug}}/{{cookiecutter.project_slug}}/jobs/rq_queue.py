"""RQ on Redis: each message names one job's row; each run has an app context of its own.

The worker runs jobs in its own process, one at a time (RQ's ``SimpleWorker``), not in a work
horse forked per job: a horse starts with no pooled connection (the engines drop inherited
ones after a fork, as in gunicorn's workers) and no compiled statement, which made each job
several times slower. A job that crashes the process takes the worker down with it: the
process supervisor starts another, and the job's row, left ``running``, is re-sent once its
lease ends (``resend.py``), whatever RQ's own registries say. Run more workers for more jobs
at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, has_app_context
from redis import Redis
from rq import Queue, SimpleWorker

from ..context import app_context
from . import runner
from .resend import start_resending

# Redis forgets a message (and what RQ noted about it) after a day: a job still queued by then
# is re-sent from its row (``resend.py``), so nothing piles up in Redis for good.
MESSAGE_TTL = 24 * 3600

# The app the worker in this process runs jobs with (set by run_worker); a job run at once
# (JOB_EAGER) uses the app of the context that sent it.
WORKER_APPS: list[Flask] = []


def perform(job_id: int) -> None:
    """What each message runs: the job's delivery, in an app context of its own."""
    with app_context(None if has_app_context() else WORKER_APPS[-1]):
        runner.run(job_id)


class RQQueue:
    def __init__(self, app: Flask) -> None:
        config = app.config
        timeout = config["JOB_BROKER_TIMEOUT_MS"] / 1000
        self.app = app
        self.lease = config["JOB_LEASE_SECONDS"]
        self.redis = Redis.from_url(
            config["REDIS_URL"], socket_connect_timeout=timeout, socket_timeout=timeout
        )
        self.queue = Queue(
            config["JOB_QUEUE_NAME"], connection=self.redis, is_async=not config["JOB_EAGER"]
        )
        self.depth_key: str = self.queue.key

    def send(self, job_ids: Sequence[int]) -> None:
        """One round trip for all of them."""
        messages = [
            Queue.prepare_data(
                perform,
                (job_id,),
                timeout=self.lease,
                result_ttl=0,
                ttl=MESSAGE_TTL,
                failure_ttl=MESSAGE_TTL,
            )
            for job_id in job_ids
        ]
        self.queue.enqueue_many(messages)

    def run_worker(self, concurrency: int) -> None:
        if concurrency != 1:
            raise SystemExit("RQ runs one job at a time per worker: start more workers instead.")
        WORKER_APPS.append(self.app)
        stop = start_resending(self.app)
        try:
            SimpleWorker([self.queue], connection=self.redis).work()
        finally:
            stop.set()


def connect(app: Flask) -> RQQueue:
    return RQQueue(app)
