"""Jobs: how many were sent, started, retried and failed, and how many wait in the queue.

The counters move where the jobs do: sends in the web process (after each commit) and in
workers (re-sends); the rest in workers, which count too when they run with
``METRICS_ENABLED`` and the web's ``PROMETHEUS_MULTIPROC_DIR`` (one host). The queue's depth
is read from the broker at each scrape (one ``LLEN``; never the database, so a scrape still
answers when the pools are full). Labels are job names (``users.import``), never payloads.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ..jobs import signals
from ..jobs.broker import broker_of

ENQUEUED = Counter("jobs_enqueued", "Jobs handed to the broker after their commit.")
STARTED = Counter("jobs_started", "Jobs a worker claimed and started.", ["job"])
RETRIED = Counter("jobs_retried", "Runs again after a transient database error.", ["job"])
FAILED = Counter("jobs_failed", "Jobs that failed: bad data, or out of retries.", ["job"])


# Module-level receivers: blinker connects each once, however many apps are built.
def count_sent(_: Any, count: int) -> None:
    ENQUEUED.inc(count)


def count_started(name: str) -> None:
    STARTED.labels(name).inc()


def count_retried(name: str) -> None:
    RETRIED.labels(name).inc()


def count_failed(name: str) -> None:
    FAILED.labels(name).inc()


class QueueDepth(Collector):
    """``jobs_queue_depth``: messages waiting in the broker; absent when it does not answer."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        broker = broker_of(self.app)
        try:
            depth = broker.redis.llen(broker.queue.depth_key)
        except Exception:  # whatever the client raises: no figure rather than a failed scrape
            return
        yield GaugeMetricFamily("jobs_queue_depth", "Messages waiting in the queue.", value=depth)


def watch(app: Flask, registry: CollectorRegistry) -> None:
    """Count what the jobs' signals report, and read the queue's depth at each scrape."""
    signals.sent.connect(count_sent)
    signals.started.connect(count_started)
    signals.retried.connect(count_retried)
    signals.failed.connect(count_failed)
    registry.register(QueueDepth(app))
