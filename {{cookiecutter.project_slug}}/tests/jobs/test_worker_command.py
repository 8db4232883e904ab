"""``python manage.py worker``: offered by the commands, and its libraries loaded only by it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
QUEUE_LIBRARIES = ("celery", "kombu", "billiard", "rq", "redis")


def imported_modules(*args: str) -> tuple[str, set[str]]:
    """What ``manage.py <args>`` prints, and the top-level modules it imported."""
    result = subprocess.run(  # noqa: S603 - the project's own command
        [sys.executable, "-X", "importtime", "manage.py", *args],
        cwd=PROJECT,
        env={**os.environ, "APP_ENV": "testing"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()]
    return result.stdout, {line.split(".")[0] for line in lines if line}


def test_help_lists_the_worker_and_loads_no_queue_library() -> None:
    listing, modules = imported_modules("--help")
    assert "worker" in listing
    assert modules.isdisjoint(QUEUE_LIBRARIES), modules & set(QUEUE_LIBRARIES)


def test_the_worker_help_says_how_to_run_more_at_once() -> None:
    listing, _ = imported_modules("worker", "--help")
    assert "--concurrency" in listing
