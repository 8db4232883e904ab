"""How long each statement takes: one pair of engine events per engine, shared by every user.

The slow-query log (:mod:`.logs`) and the metrics both watch statement times; they register
an observer here instead of each timing the statements again.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

# Called after each statement with its duration in seconds and its SQL text.
QueryObserver = Callable[[float, str], None]

QUERY_STARTED = "query_started"
_OBSERVERS: weakref.WeakKeyDictionary[Engine, list[QueryObserver]] = weakref.WeakKeyDictionary()


def observe_queries(engine: Engine, observer: QueryObserver) -> None:
    """Call ``observer`` after every statement ``engine`` runs; the first one adds the events."""
    observers = _OBSERVERS.get(engine)
    if observers is None:
        observers = _OBSERVERS[engine] = []
        time_statements(engine, observers)
    observers.append(observer)


def time_statements(engine: Engine, observers: list[QueryObserver]) -> None:
    def started(conn: Any, *_: Any) -> None:
        conn.info[QUERY_STARTED] = time.perf_counter()

    def finished(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        elapsed = time.perf_counter() - conn.info.pop(QUERY_STARTED, time.perf_counter())
        for observer in observers:
            observer(elapsed, statement)

    event.listen(engine, "before_cursor_execute", started)
    event.listen(engine, "after_cursor_execute", finished)
