"""Statements: how long each took, and how many were slow (``SLOW_QUERY_MS``), per database.

The timing is the one the slow-query log uses (:mod:`..queries`); no SQL text is recorded.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram
from sqlalchemy.engine import Engine

from ..queries import QueryObserver, observe_queries

DURATION = Histogram(
    "db_query_duration_seconds",
    "Time each statement took, from sending it to having its result.",
    ("database",),
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30),
)
SLOW = Counter("db_slow_queries", "Statements that took SLOW_QUERY_MS or longer.", ("database",))


def recorder(database: str, slow_ms: int) -> QueryObserver:
    duration = DURATION.labels(database)
    slow = SLOW.labels(database)
    threshold = slow_ms / 1000

    def record(elapsed: float, _statement: str) -> None:
        duration.observe(elapsed)
        if elapsed >= threshold:
            slow.inc()

    return record


def watch(engine: Engine, database: str, slow_ms: int) -> None:
    observe_queries(engine, recorder(database, slow_ms))
