"""A baked project served the way production serves it: gunicorn, two workers, PostgreSQL.

:func:`serve` starts ``gunicorn wsgi:app`` with ``APP_ENV=production`` on a loopback port and
stops it afterwards, failing when its log holds a traceback. :class:`Watcher` reads the
database server's view of the app's connections.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from .baking import run
from .http import call, free_port, wait_until_up
from .servers import fresh_database

WORKERS = 2
# Small pools, so that the limit they set is reached under load: each worker may hold at most
# POOL_SIZE + MAX_OVERFLOW connections, and waits POOL_TIMEOUT seconds for one beyond that.
POOL = {"DB_POOL_SIZE": "2", "DB_MAX_OVERFLOW": "1", "DB_POOL_TIMEOUT": "5"}
STOP_SECONDS = 30
# Lines that must never appear in a served app's log.
FAILURE_MARKS = ("Traceback", "WORKER TIMEOUT")


@dataclass
class ServedApp:
    """A running gunicorn: where it answers, which database it uses, and its settings."""

    base: str
    process: subprocess.Popen[bytes]
    log: Path
    database_url: str  # direct to the server, for the test's own SQL
    application_name: str  # what the app's connections call themselves on the server
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def database_name(self) -> str:
        return str(make_url(self.database_url).database)

    @property
    def connection_limit(self) -> int:
        """The most connections the pools of every worker together may open."""
        per_worker = int(self.settings["DB_POOL_SIZE"]) + int(self.settings["DB_MAX_OVERFLOW"])
        return int(self.settings["WEB_CONCURRENCY"]) * per_worker

    def worker_pids(self) -> set[int]:
        """The processes whose parent is the gunicorn master."""
        return children(self.process.pid)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def children(parent: int) -> set[int]:
    """Ids of the live processes whose parent is ``parent`` (read from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name, in parentheses, may hold spaces: split after its closing one.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        if int(fields[1]) == parent and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def production_env(database_url: str, **overrides: str) -> dict[str, str]:
    """Settings of a production deploy on ``database_url``; ``overrides`` win."""
    return {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),  # 64 characters
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": str(WORKERS),
        **POOL,
        "GUNICORN_ACCESS_LOG": "",  # thousands of lines under load say nothing the test checks
        **overrides,
    }


def migrate(project: Path, python: Path, database_url: str, **overrides: str) -> None:
    """``flask db upgrade`` the database at ``database_url`` to the newest migration."""
    env = production_env(database_url, **overrides)
    result = run([str(python.with_name("flask")), "db", "upgrade"], project, env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@contextmanager
def serve(
    project: Path,
    python: Path,
    database_url: str,
    workdir: Path,
    *,
    app_database_url: str | None = None,
    gunicorn_args: tuple[str, ...] = (),
    app_module: str = "wsgi:app",
    **overrides: str,
) -> Iterator[ServedApp]:
    """Run gunicorn for ``project`` (``app_module``, ``wsgi:app`` by default) until the block
    ends; fail if its log shows a traceback.

    The app reaches its database at ``app_database_url`` (through a proxy, say), which defaults
    to ``database_url``, the address the test itself uses. Its log goes to a file in
    ``workdir``, so that no pipe can fill up and stall the workers.
    """
    port = free_port()
    settings = production_env(
        app_database_url or database_url, GUNICORN_BIND=f"127.0.0.1:{port}", **overrides
    )
    # gunicorn keeps a control socket in XDG_RUNTIME_DIR (else in ~/.gunicorn): one per
    # instance, so that two instances never replace each other's.
    env = {**os.environ, **settings, "XDG_RUNTIME_DIR": str(workdir)}
    log = workdir / "gunicorn.log"
    command = [str(python.with_name("gunicorn")), app_module, *gunicorn_args]
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 - a command the test builds
            command, cwd=project, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    served = ServedApp(
        base=f"http://127.0.0.1:{port}",
        process=process,
        log=log,
        database_url=database_url,
        application_name=project.name,
        settings=settings,
    )
    try:
        try:
            wait_until_up(served.base)
            wait_for_workers(served, int(settings["WEB_CONCURRENCY"]))
        except AssertionError as error:
            raise AssertionError(f"{error}; its log ends:\n{served.log_text()[-3000:]}") from None
        yield served
    finally:
        stop(process)
    output = served.log_text()
    for mark in FAILURE_MARKS:
        assert mark not in output, output[-6000:]


@contextmanager
def serve_on_new_database(
    project: Path,
    python: Path,
    workdir: Path,
    label: str,
    *,
    gunicorn_args: tuple[str, ...] = (),
    **overrides: str,
) -> Iterator[ServedApp]:
    """Serve ``project`` on a new PostgreSQL database, migrated first and dropped afterwards."""
    with fresh_database("postgresql", label) as url:
        migrate(project, python, url)
        with serve(project, python, url, workdir, gunicorn_args=gunicorn_args, **overrides) as app:
            yield app


def wait_for_workers(served: ServedApp, count: int, seconds: float = 30) -> None:
    """Wait until every worker has booted: the first answers requests before the others fork."""
    deadline = time.monotonic() + seconds
    while len(served.worker_pids()) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"gunicorn did not start {count} workers within {seconds}s")
        time.sleep(0.05)


def stop(
    process: subprocess.Popen[bytes], name: str = "gunicorn", seconds: float = STOP_SECONDS
) -> None:
    """Send a server SIGTERM (gunicorn's graceful shutdown); kill it if it is still there
    after ``seconds``."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=seconds)
        raise AssertionError(f"{name} ignored SIGTERM for {seconds}s") from None


def readiness(base: str, samples: int) -> list[dict[str, int]]:
    """``/readyz``'s pool figures for the default database, ``samples`` times.

    Each call opens a new connection, so the samples come from whichever worker answers.
    """
    pools = []
    for _ in range(samples):
        status, _, body = call(base, "GET", "/readyz", timeout=10)
        assert status == 200, body
        pools.append(body["databases"]["default"])
    return pools


class Watcher:
    """Reads ``pg_stat_activity`` for the connections of one app to one database."""

    def __init__(self, served: ServedApp) -> None:
        self.served = served
        self.engine: Engine = create_engine(
            served.database_url,
            isolation_level="AUTOCOMMIT",
            pool_size=2,
            connect_args={"connect_timeout": 5},
        )

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.engine.dispose()

    def _scalar(self, sql: str, **params: object) -> int:
        with self.engine.connect() as connection:
            value = connection.execute(text(sql), params).scalar_one()
        return int(value)

    def _app(self, sql: str, **params: object) -> int:
        return self._scalar(
            sql,
            application=self.served.application_name,
            database=self.served.database_name,
            **params,
        )

    def connections(self) -> int:
        """How many connections the app holds open right now."""
        return self._app(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = :application AND datname = :database"
        )

    def busy_connections(self) -> int:
        """Connections running a statement or left inside a transaction."""
        return self._app(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = :application AND datname = :database"
            " AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')"
        )

    def terminate_connections(self) -> int:
        """Close every connection of the app from the server side; return how many."""
        return self._app(
            "SELECT count(*) FROM ("
            " SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = :application AND datname = :database) AS ended"
        )

    def count(self, sql: str, **params: object) -> int:
        """Run one ``SELECT count(*) ...`` (or any one-number query) on the app's database."""
        return self._scalar(sql, **params)

    def wait_until_idle(self, seconds: float = 10) -> int:
        """Poll until no app connection is busy; return how many still are at the deadline."""
        deadline = time.monotonic() + seconds
        busy = self.busy_connections()
        while busy and time.monotonic() < deadline:
            time.sleep(0.1)
            busy = self.busy_connections()
        return busy
