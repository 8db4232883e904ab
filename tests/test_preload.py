"""With ``GUNICORN_PRELOAD`` on, the app is built in the master before the workers fork.

The master opens a connection while starting (the pool check in ``wsgi.py``); a worker that
reused it would share one socket with its siblings and garble their traffic. The app drops
inherited connections in every forked child, so concurrent work in all workers stays clean.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .serving import serve_on_new_database
from .traffic import EXPECTED, drive

pytestmark = pytest.mark.slow

CLIENTS = 16
SECONDS = 4


def test_preloaded_workers_each_use_their_own_connections(
    postgres_project: Path, postgres_python: Path, tmp_path: Path
) -> None:
    with serve_on_new_database(
        postgres_project,
        postgres_python,
        tmp_path,
        "preload",
        gunicorn_args=("--threads", "4"),
        GUNICORN_PRELOAD="true",
        GUNICORN_MAX_REQUESTS="0",  # no recycling: the same workers must last the run
    ) as served:
        workers = served.worker_pids()
        tally = drive(served.base, CLIENTS, SECONDS, label="preload")
        assert served.worker_pids() == workers  # no worker died and was replaced
    log = served.log_text()
    print(f"\npreload: {tally.requests} requests, {dict(tally.statuses)}", file=sys.stderr)
    assert len(workers) == 2
    assert "Pool settings for" not in log  # the master's start-up check ran quietly
    assert tally.requests >= CLIENTS * 5
    assert tally.server_errors() == 0
    assert tally.count(lambda kind, status: status != EXPECTED[kind]) == 0, tally.statuses
