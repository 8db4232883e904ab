"""A forked process (a gunicorn worker, say) never uses the pooled connections of its parent."""

from __future__ import annotations

import gc
import os
import select
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from {{ cookiecutter.project_slug }} import db

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
CHILD_SECONDS = 20
THREAD_SECONDS = 5


def other_threads_after(seconds: float) -> list[str]:
    """Give threads that earlier tests left behind ``seconds`` to end; name those still running.

    A thread alive at fork time may hold a lock the child then waits on forever. Python 3.12+
    warns about it from ``os.fork()``, but a suite that turns warnings into errors never sees
    that warning (it cannot be raised there and is dropped), so the test checks for itself.
    Such threads are usually ending already: an async view runs on an executor that is never
    shut down, whose worker leaves once the executor is collected.
    """
    gc.collect()
    deadline = time.monotonic() + seconds
    current = threading.current_thread()
    others = [thread for thread in threading.enumerate() if thread is not current]
    for thread in others:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [thread.name for thread in others if thread.is_alive()]


def report_from_child(run: Callable[[], str]) -> str:
    """Fork; the child writes what it found to a pipe; the parent reads it within a bound."""
    running = other_threads_after(THREAD_SECONDS)
    assert not running, f"threads still running when forking: {running}"
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest, whatever happens
        code = 1
        try:
            os.close(read_end)
            os.write(write_end, run().encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], CHILD_SECONDS)
        answer = os.read(read_end, 1000).decode() if ready else "no answer"
    finally:
        os.close(read_end)
        if not ready:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, answer
    return answer


def test_a_forked_child_opens_its_own_connection(committed_app: Flask) -> None:
    with committed_app.app_context():
        engine = db.engine
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            inherited = connection.connection.dbapi_connection
        parent_pool = engine.pool
        assert parent_pool.checkedin() == 1  # type: ignore[attr-defined]

        def in_child() -> str:
            pool: Any = engine.pool
            fresh_pool = pool is not parent_pool and pool.checkedin() == 0
            with engine.connect() as connection:
                works = connection.execute(text("SELECT 1")).scalar() == 1
                own = connection.connection.dbapi_connection is not inherited
            return f"fresh_pool={fresh_pool} works={works} own_connection={own}"

        assert report_from_child(in_child) == "fresh_pool=True works=True own_connection=True"
        # The child left the parent's connection open: the parent goes on using it.
        with engine.connect() as connection:
            assert connection.connection.dbapi_connection is inherited
            assert connection.execute(text("SELECT 1")).scalar() == 1
