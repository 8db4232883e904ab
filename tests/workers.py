"""Job queue workers for the template's tests: a baked project's ``python manage.py worker``,
started in a process group of its own and always stopped (the whole group) afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import redis

from .proxy import Proxy
from .serving import ServedApp

REDIS = ("127.0.0.1", 6379)
STOP_SECONDS = 10
# Short enough that a test sees recovery in seconds; the defaults are 300 s and 30 s.
SETTINGS = {
    "JOB_LEASE_SECONDS": "3",
    "JOB_RESEND_SECONDS": "1",
    "JOB_RETRY_BACKOFF_MS": "200",
    "DB_POOL_SIZE": "2",
}
# A route that submits an import and then fails, added to the served app for one test.
FAILING_WSGI = """
from wsgi import app
from {package}.errors import APIError
from {package}.jobs import submit


@app.post("/api/probe/submit-then-fail")
def submit_then_fail():
    submit("users.import", {{"rows": [{{"email": "never@example.com", "name": "Never"}}]}})
    raise APIError("the request fails after submitting")
"""


@dataclass
class Stack:
    """A baked project with a job queue: its app under gunicorn, reaching Redis through
    ``proxy``, and the settings its workers start with."""

    queue: str
    project: Path
    python: Path
    served: ServedApp
    proxy: Proxy
    worker_env: dict[str, str]
    workdir: Path

    @property
    def queue_name(self) -> str:
        return self.worker_env["JOB_QUEUE_NAME"]

    def messages(self) -> int:
        """Messages waiting in the queue's Redis list."""
        key = self.queue_name if self.queue == "celery" else f"rq:queue:{self.queue_name}"
        return int(redis.Redis(*REDIS).llen(key))


def queue_settings() -> dict[str, str]:
    """A queue of the test's own on the shared Redis: other runs never see its messages."""
    return {**SETTINGS, "JOB_QUEUE_NAME": f"fdt-{uuid.uuid4().hex[:10]}"}


def forget_queue(name: str) -> None:
    """Delete the Redis keys of a test's queue, and RQ's notes on the messages left in it."""
    client = redis.Redis(*REDIS)
    for job_id in client.lrange(f"rq:queue:{name}", 0, -1):
        client.delete(b"rq:job:" + job_id)
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)


def write_failing_wsgi(project: Path) -> str:
    (project / "probe_wsgi.py").write_text(FAILING_WSGI.format(package=project.name))
    return "probe_wsgi:app"


@contextmanager
def worker(
    stack: Stack, name: str = "worker", *args: str, **overrides: str
) -> Iterator[subprocess.Popen[bytes]]:
    """``python manage.py worker <args>`` until the block ends; its log goes to ``<name>.log``."""
    env = {**os.environ, **stack.worker_env, **overrides}
    log = stack.workdir / f"{name}.log"
    with log.open("ab") as sink:
        process = subprocess.Popen(  # noqa: S603 - a command the test builds
            [str(stack.python), "manage.py", "worker", *args],
            cwd=stack.project,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )
    try:
        yield process
    finally:
        stop_group(process)


def stop_group(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Signal the worker's whole process group; SIGKILL it if it is still there after a while."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_SECONDS)
    with suppress(ProcessLookupError):  # children that outlived it (RQ's work horse, say)
        os.killpg(process.pid, signal.SIGKILL)


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> float:
    """Poll ``condition`` until it holds; return how long that took, fail after ``seconds``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"{what}: not within {seconds}s")
        time.sleep(0.05)
    return time.monotonic() - started
