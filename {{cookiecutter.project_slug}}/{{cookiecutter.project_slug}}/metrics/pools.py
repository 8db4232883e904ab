"""Connection pools, per database: connections in use, idle and in overflow, the limits, the
wait for a connection, pool timeouts and invalidated connections.

Each worker counts its own pools from the pool's events and publishes the counts as gauges
that ``/metrics`` sums over the living workers (``livesum``): the figures cover every worker,
whichever one answers the scrape.
"""

from __future__ import annotations

import os
import threading
import time
import weakref

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import PoolProxiedConnection, QueuePool

LABELS = ("database",)


def _gauge(name: str, documentation: str) -> Gauge:
    return Gauge(name, documentation, LABELS, multiprocess_mode="livesum")


CHECKED_OUT = _gauge("db_pool_checked_out_connections", "Connections in use.")
IDLE = _gauge("db_pool_idle_connections", "Open connections waiting in the pool.")
OVERFLOW = _gauge("db_pool_overflow_connections", "Connections open beyond the pool size.")
SIZE = _gauge("db_pool_size", "Connections the pool keeps open (DB_POOL_SIZE).")
MAX_OVERFLOW = _gauge("db_pool_max_overflow", "Connections allowed beyond it (DB_MAX_OVERFLOW).")
WAIT = Histogram(
    "db_pool_checkout_seconds",
    "Time to get a connection: waiting for a free one, opening a new one, the pre-ping.",
    LABELS,
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TIMEOUTS = Counter("db_pool_timeouts", "Requests for a connection that timed out.", LABELS)
INVALIDATED = Counter("db_pool_invalidated_connections", "Connections found broken.", LABELS)


class PoolCounts:
    """One pool's connections as this process has seen them open, close and change hands."""

    def __init__(self, database: str, size: int, max_overflow: int) -> None:
        self.size = size
        self.max_overflow = max_overflow
        self.open = 0
        self.checked_out = 0
        self.lock = threading.Lock()
        # Looked up once: each checkout and checkin sets them.
        self.checked_out_gauge = CHECKED_OUT.labels(database)
        self.idle_gauge = IDLE.labels(database)
        self.overflow_gauge = OVERFLOW.labels(database)
        self.size_gauge = SIZE.labels(database)
        self.max_overflow_gauge = MAX_OVERFLOW.labels(database)
        self.publish_limits()

    def change(self, opened: int = 0, taken: int = 0) -> None:
        with self.lock:
            self.open += opened
            self.checked_out += taken
            self.checked_out_gauge.set(self.checked_out)
            self.idle_gauge.set(max(self.open - self.checked_out, 0))
            if opened:
                self.overflow_gauge.set(max(self.open - self.size, 0))

    def publish_limits(self) -> None:
        self.size_gauge.set(self.size)
        self.max_overflow_gauge.set(self.max_overflow)

    def forget(self) -> None:
        """A forked worker starts with none: the parent's connections are not its own."""
        with self.lock:
            self.open = self.checked_out = 0
        self.publish_limits()  # into the worker's own files


_COUNTS: weakref.WeakSet[PoolCounts] = weakref.WeakSet()


def forget_all() -> None:
    for counts in list(_COUNTS):
        counts.forget()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=forget_all)


def count_connections(engine: Engine, database: str, max_overflow: int) -> None:
    """Follow the pool's events; a pool without limits (SQLite in memory) is skipped."""
    if not isinstance(engine.pool, QueuePool):
        return
    counts = PoolCounts(database, engine.pool.size(), max_overflow)
    _COUNTS.add(counts)  # the listeners below keep it alive as long as the engine
    invalidated = INVALIDATED.labels(database)
    listeners = {
        "connect": lambda *_: counts.change(opened=1),
        "close": lambda *_: counts.change(opened=-1),
        "detach": lambda *_: counts.change(opened=-1),
        "checkout": lambda *_: counts.change(taken=1),
        "checkin": lambda *_: counts.change(taken=-1),
        "invalidate": lambda *_: invalidated.inc(),
    }
    for name, listener in listeners.items():
        event.listen(engine, name, listener)


def time_checkouts(engine: Engine, database: str) -> None:
    """Time every request for a connection, and count those that time out.

    SQLAlchemy has no event before a checkout; every connection the engine hands out comes from
    its ``raw_connection()``, which outlives the pool (``dispose()`` and a fork replace that).
    """
    wait = WAIT.labels(database)
    timeouts = TIMEOUTS.labels(database)
    get_connection = engine.raw_connection

    def timed_raw_connection() -> PoolProxiedConnection:
        started = time.perf_counter()
        try:
            return get_connection()
        except PoolTimeout:
            timeouts.inc()
            raise
        finally:
            wait.observe(time.perf_counter() - started)

    engine.raw_connection = timed_raw_connection  # type: ignore[method-assign]


def watch(engine: Engine, database: str, max_overflow: int) -> None:
    count_connections(engine, database, max_overflow)
    time_checkouts(engine, database)
