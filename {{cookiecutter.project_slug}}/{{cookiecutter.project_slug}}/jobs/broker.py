"""The app's broker: the chosen queue's integration, imported and connected on first use.

Nothing here imports Celery or RQ: commands that never send a job (``--help``, ``db``) do not
pay for them. Both queues keep their messages in Redis (``REDIS_URL``).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from flask import Flask

if TYPE_CHECKING:
    from redis import Redis


class Queue(Protocol):
    """What each queue's module (``celery_queue.py``, ``rq_queue.py``) offers."""

    depth_key: str  # the Redis list its messages wait in

    def send(self, job_ids: Sequence[int]) -> None:
        """Put one message per job on the queue (or run each at once, with ``JOB_EAGER``)."""

    def run_worker(self, concurrency: int) -> None:
        """Run a worker in this process until it is stopped."""


class Broker:
    """One per app: its queue and a Redis client for the readiness probe, made when first used."""

    EXTENSION = "jobs"

    def __init__(self, app: Flask) -> None:
        self.app = app

    @cached_property
    def queue(self) -> Queue:
        module = importlib.import_module(f"{__package__}.{self.app.config['JOB_QUEUE']}_queue")
        queue: Queue = module.connect(self.app)
        return queue

    @cached_property
    def redis(self) -> Redis:
        from redis import Redis  # only when the broker is first asked about

        timeout = self.app.config["JOB_BROKER_TIMEOUT_MS"] / 1000
        return Redis.from_url(
            self.app.config["REDIS_URL"], socket_connect_timeout=timeout, socket_timeout=timeout
        )

    def ping(self) -> None:
        """Ask Redis to answer; raises what the client raises when it cannot."""
        self.redis.ping()


def broker_of(app: Flask) -> Broker:
    broker: Broker = app.extensions[Broker.EXTENSION]
    return broker
