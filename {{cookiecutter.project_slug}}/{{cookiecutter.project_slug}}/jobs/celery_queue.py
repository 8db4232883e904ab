"""Celery on Redis: one task, ``jobs.run``, whose every run has an app context of its own.

Messages are acknowledged late (after the task ran) and rejected back to the queue when the
worker process is lost; Redis redelivers one unacknowledged for ``JOB_LEASE_SECONDS``. The
job's row decides whether a delivery runs (``runner.claim``), so redeliveries are harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from celery import Celery, Task
from celery.signals import setup_logging, worker_ready, worker_shutdown
from flask import Flask

from ..context import app_context
from . import runner
from .resend import start_resending

TASK = "jobs.run"


def make_celery(app: Flask) -> Celery:
    """A Celery app with the Flask app's settings, whose tasks run inside its app context."""
    config = app.config
    timeout = config["JOB_BROKER_TIMEOUT_MS"] / 1000

    class AppTask(Task):  # type: ignore[misc]  # Celery ships no type information
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app_context(app):  # a session of its own, released whatever happens
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, broker=config["REDIS_URL"], task_cls=AppTask)
    celery.conf.update(
        task_default_queue=config["JOB_QUEUE_NAME"],
        task_always_eager=config["JOB_EAGER"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        # A broker that does not answer fails the send quickly; the outbox re-sends it.
        task_publish_retry=False,
        broker_connection_timeout=timeout,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": config["JOB_LEASE_SECONDS"],
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
        },
    )
    celery.task(name=TASK, ignore_result=True)(runner.run)
    resend_while_working(app)
    return celery


def keep_app_logging(**_: Any) -> None:
    """The app has set up logging (``logs.py``): Celery's lines go through it, as the app's do."""


setup_logging.connect(keep_app_logging, weak=False)


def resend_while_working(app: Flask) -> None:
    """The worker's main process re-sends stale jobs while it runs (``resend.py``)."""
    stops = []

    def start(**_: Any) -> None:
        stops.append(start_resending(app))

    def stop(**_: Any) -> None:
        for event in stops:
            event.set()

    worker_ready.connect(start, weak=False)
    worker_shutdown.connect(stop, weak=False)


class CeleryQueue:
    def __init__(self, app: Flask) -> None:
        self.celery = make_celery(app)
        self.task = self.celery.tasks[TASK]
        self.depth_key: str = app.config["JOB_QUEUE_NAME"]  # Celery's Redis list for the queue

    def send(self, job_ids: Sequence[int]) -> None:
        for job_id in job_ids:
            self.task.apply_async(args=(job_id,))

    def run_worker(self, concurrency: int) -> None:
        pool = "solo" if concurrency == 1 else "prefork"
        queue = self.celery.conf.task_default_queue
        argv = ["worker", f"--pool={pool}", f"--concurrency={concurrency}", f"--queues={queue}"]
        self.celery.worker_main([*argv, "--loglevel=INFO", "--without-gossip", "--without-mingle"])


def connect(app: Flask) -> CeleryQueue:
    return CeleryQueue(app)
