"""Ping a pooled connection only when it sat idle long enough to have been dropped.

A ping on every checkout (``pool_pre_ping``) costs a round trip per request, which for a read
by id is a third of the request's own. A connection handed back a moment ago was alive then;
one that sat idle in the pool may since have been closed by a server restart, a failover, an
idle timeout or a firewall. So a connection idle for ``DB_PING_IDLE_SECONDS`` or longer is
pinged as it leaves the pool, and when the ping finds it dead the pool is invalidated and a
new connection is made, as ``pool_pre_ping`` would. (0 pings on every checkout.)

A connection dropped within that window fails the statement that finds it: SQLAlchemy then
invalidates it and every pooled connection older than it, that request answers 503 (see
``errors.py``) and the next one gets a new connection.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.pool import ConnectionPoolEntry

CHECKED_IN_AT = "checked_in_at"  # on each pool entry's ``info``: when it was last handed back


def ping_idle_connections(engine: Engine, idle_seconds: int) -> None:
    """Ping each connection of ``engine`` that has been idle ``idle_seconds`` or longer."""

    def on_checkin(_dbapi_connection: Any, entry: ConnectionPoolEntry) -> None:
        entry.info[CHECKED_IN_AT] = time.monotonic()

    def on_checkout(dbapi_connection: Any, entry: ConnectionPoolEntry, _proxy: Any) -> None:
        # A new connection has no check-in time: it has just been opened, so it needs no ping.
        checked_in_at = entry.info.get(CHECKED_IN_AT)
        if checked_in_at is not None and time.monotonic() - checked_in_at >= idle_seconds:
            ping(engine.dialect, dbapi_connection)

    event.listen(engine, "checkin", on_checkin)
    event.listen(engine, "checkout", on_checkout)


def ping(dialect: Dialect, dbapi_connection: Any) -> None:
    """Ask the server to answer on this connection.

    :raise InvalidatePoolError: the connection is dead; the pool then drops it and every
        connection older than it, and opens a new one.
    """
    try:
        dialect.do_ping(dbapi_connection)
    except dialect.loaded_dbapi.Error as error:
        if dialect.is_disconnect(error, dbapi_connection, None):
            raise InvalidatePoolError(str(error)) from error
        raise
