"""A forked process (a gunicorn worker, say) never uses the pooled connections of its parent."""

from __future__ import annotations

import os
import select
import signal
import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from {{ cookiecutter.project_slug }} import db

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
CHILD_SECONDS = 20


def report_from_child(run: Callable[[], str]) -> str:
    """Fork; the child writes what it found to a pipe; the parent reads it within a bound."""
    # A thread alive at fork time may hold a lock the child then waits on forever; Python 3.12+
    # warns about it from os.fork(). Say which threads another test left running instead.
    others = [
        thread.name for thread in threading.enumerate() if thread is not threading.current_thread()
    ]
    assert not others, f"threads still running when forking: {others}"
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
