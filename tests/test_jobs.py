"""Background jobs on a real queue: Celery and RQ on the local Redis, run by real worker
processes (``python manage.py worker``) against a PostgreSQL bake served by gunicorn.

Each queue choice is baked once; the app reaches Redis through a proxy the tests can cut, the
workers reach it directly. Workers run in process groups of their own, stopped (or killed)
whatever happens. ``-s`` prints the figures: jobs per second and the recovery of a killed job.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine

from .baking import bake, run_suite
from .http import call, free_port
from .proxy import Proxy
from .servers import fresh_database, require_server, unavailable
from .serving import migrate, production_env, serve
from .venvs import venv_for
from .workers import (
    REDIS,
    Stack,
    forget_queue,
    queue_settings,
    wait_for,
    worker,
    write_failing_wsgi,
)

pytestmark = pytest.mark.slow

QUEUES = ["celery", "rq"]
DRAIN_JOBS = 200
DRAIN_EMAILS = 50
SQLITE_JOBS = 100


def require_redis() -> None:
    try:
        redis.Redis(*REDIS, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        unavailable(f"Redis at {REDIS[0]}:{REDIS[1]} is not reachable: {error}")


@pytest.fixture(scope="module", params=QUEUES)
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """A bake of the queue, its database migrated, served with a route that fails after it
    submits a job; workers are started by each test."""
    queue = str(request.param)
    require_server("postgresql")
    require_redis()
    project = bake(
        tmp_path_factory.mktemp(f"jobs-{queue}"), database="postgresql", job_queue=queue
    )
    python = venv_for(f"postgresql-{queue}", project)
    workdir = tmp_path_factory.mktemp(f"jobs-{queue}-run")
    settings = queue_settings()
    with fresh_database("postgresql", "jobs") as url, Proxy(REDIS, free_port()) as proxy:
        migrate(project, python, url)
        worker_env = production_env(url, REDIS_URL=f"redis://{REDIS[0]}:{REDIS[1]}/0", **settings)
        app_redis = f"redis://127.0.0.1:{proxy.port}/0"
        app_module = write_failing_wsgi(project)
        with serve(
            project, python, url, workdir, app_module=app_module, REDIS_URL=app_redis, **settings
        ) as served:
            yield Stack(queue, project, python, served, proxy, worker_env, workdir)
    forget_queue(settings["JOB_QUEUE_NAME"])


@pytest.fixture(scope="module")
def engine(stack: Stack) -> Iterator[Engine]:
    engine = create_engine(stack.served.database_url, pool_size=2)
    yield engine
    engine.dispose()


def rows(label: str, count: int) -> list[dict[str, str]]:
    return [{"email": f"{label}-{n}@example.com", "name": f"{label} {n}"} for n in range(count)]


def start_import(stack: Stack, batch: list[dict[str, str]]) -> int:
    status, headers, body = call(stack.served.base, "POST", "/api/users/imports", {"rows": batch})
    assert status == 202, body
    assert headers["Location"] == f"/api/users/imports/{body['id']}"
    return int(body["id"])


def followed(stack: Stack, job_id: int) -> dict[str, Any]:
    status, _, body = call(stack.served.base, "GET", f"/api/users/imports/{job_id}")
    assert status == 200, body
    return dict(body)


def wait_until_done(stack: Stack, job_id: int, seconds: float = 30) -> float:
    return wait_for(lambda: followed(stack, job_id)["state"] == "done", seconds, f"job {job_id}")


def scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar_one()


def users_like(engine: Engine, label: str) -> int:
    return int(scalar(engine, "SELECT count(*) FROM users WHERE email LIKE :p", p=f"{label}-%"))


def log_tail(stack: Stack, name: str) -> str:
    return (stack.workdir / f"{name}.log").read_text(errors="replace")[-4000:]


def attempts(engine: Engine, job_id: int) -> int:
    return int(scalar(engine, "SELECT attempts FROM jobs WHERE id = :id", id=job_id))


class Blocker:
    """An uncommitted row holding one email of an import, so that the job waits on it: a job
    stopped mid-way, with the rows before that email inserted and not yet committed."""

    def __init__(self, engine: Engine, email: str) -> None:
        self.engine = engine
        self.connection: Connection = engine.connect()
        self.connection.begin()
        insert = "INSERT INTO users (email, name) VALUES (:email, 'Blocker')"
        self.connection.execute(text(insert), {"email": email})

    def waiting(self) -> int:
        """Connections of the database waiting for a lock (the job's, behind this row)."""
        sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        return int(scalar(self.engine, sql + " AND wait_event_type = 'Lock'"))

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()


def test_the_bakes_own_job_tests_pass(stack: Stack) -> None:
    """The baked suite's tests of jobs, imports and probes (jobs run at once, in-process)."""
    with fresh_database("postgresql", "jobsuite") as url:
        scope = ["tests/jobs", "tests/users/test_imports.py", "tests/health"]
        run_suite(stack.python, stack.project, {"TEST_DATABASE_URL": url}, *scope)


def test_compose_and_ci_run_redis_and_a_worker(stack: Stack) -> None:
    services = yaml.safe_load((stack.project / "compose.yaml").read_text())["services"]
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    worker_service = services["worker"]
    assert worker_service["command"] == ["python", "manage.py", "worker"]
    assert worker_service["depends_on"]["redis"] == {"condition": "service_healthy"}
    assert worker_service["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }
    assert "redis" in " ".join(worker_service["healthcheck"]["test"])
    for name in ("web", "worker"):
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    workflow = (stack.project / ".github" / "workflows" / "ci.yml").read_text()
    job = yaml.safe_load(workflow)["jobs"]["checks"]
    assert job["services"]["redis"]["image"].startswith("redis:")
    assert job["env"]["REDIS_URL"] == "redis://127.0.0.1:6379/0"


def test_a_committed_request_enqueues_once_and_a_failed_one_not_at_all(
    stack: Stack, engine: Engine
) -> None:
    status, _, body = call(stack.served.base, "POST", "/api/probe/submit-then-fail")
    assert status == 400, body
    assert scalar(engine, "SELECT count(*) FROM jobs") == 0
    assert stack.messages() == 0
    job_id = start_import(stack, rows("first", 3))
    assert stack.messages() == 1  # sent once, and only after the commit
    with worker(stack):
        wait_until_done(stack, job_id)
    assert followed(stack, job_id) == {"id": job_id, "state": "done", "created": 3, "skipped": []}
    assert users_like(engine, "first") == 3
    assert users_like(engine, "never") == 0


def test_a_broker_unreachable_after_the_commit_loses_no_job(stack: Stack, engine: Engine) -> None:
    stack.proxy.stop()
    try:
        job_id = start_import(stack, rows("outage", 2))  # the commit stands: 202, row queued
        assert followed(stack, job_id)["state"] == "queued"
        status, _, _ = call(stack.served.base, "GET", "/readyz")
        assert status == 503
    finally:
        stack.proxy.start()
    with worker(stack):
        wait_until_done(stack, job_id, seconds=20)  # re-sent by the worker side
    assert users_like(engine, "outage") == 2


def test_a_worker_killed_mid_job_is_replaced_and_the_job_completes_once(
    stack: Stack, engine: Engine
) -> None:
    batch = rows("killed", 5)
    blocker = Blocker(engine, batch[2]["email"])
    try:
        with worker(stack, "doomed") as doomed:
            job_id = start_import(stack, batch)
            wait_for(lambda: blocker.waiting() > 0, 30, "the job waits mid-way")
            assert followed(stack, job_id)["state"] == "running"
            os.killpg(doomed.pid, signal.SIGKILL)
            killed_at = time.monotonic()
    finally:
        blocker.release()
    with worker(stack, "replacement"):
        wait_until_done(stack, job_id)
        recovered = time.monotonic() - killed_at
    print(
        f"\n{stack.queue}: a job killed mid-way completed {recovered:.1f}s after SIGKILL "
        f"(lease {stack.worker_env['JOB_LEASE_SECONDS']}s, re-sent every "
        f"{stack.worker_env['JOB_RESEND_SECONDS']}s)"
    )
    assert followed(stack, job_id)["created"] == 5
    assert users_like(engine, "killed") == 5
    # The killed run, then the one that finished.
    assert attempts(engine, job_id) == 2, log_tail(stack, "replacement")


def test_a_connection_the_server_terminates_mid_job_is_retried(
    stack: Stack, engine: Engine
) -> None:
    batch = rows("terminated", 4)
    blocker = Blocker(engine, batch[1]["email"])
    try:
        with worker(stack, "retrying"):
            job_id = start_import(stack, batch)
            wait_for(lambda: blocker.waiting() > 0, 30, "the job waits mid-way")
            ended = scalar(
                engine,
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
            assert ended == 1
            blocker.release()
            wait_until_done(stack, job_id, seconds=20)
    finally:
        if not blocker.connection.closed:
            blocker.release()
    assert followed(stack, job_id)["created"] == 4
    log = log_tail(stack, "retrying")
    assert attempts(engine, job_id) == 1, log  # retried inside the same delivery
    assert "retry 1 of" in log


def test_two_workers_drain_200_jobs_and_create_each_row_once(stack: Stack, engine: Engine) -> None:
    emails = rows("drain", DRAIN_EMAILS)
    # Every job imports two emails another job imports too: each must still be created once.
    ids = [
        start_import(stack, [emails[n % DRAIN_EMAILS], emails[(7 * n + 3) % DRAIN_EMAILS]])
        for n in range(DRAIN_JOBS)
    ]
    window = "FROM jobs WHERE id BETWEEN :first AND :last"
    span = {"first": ids[0], "last": ids[-1]}

    def done() -> bool:
        return scalar(engine, f"SELECT count(*) {window} AND state = 'done'", **span) == DRAIN_JOBS

    # With Celery, the second worker runs its jobs in two forked children (the prefork pool).
    forked = ("--concurrency", "2") if stack.queue == "celery" else ()
    with worker(stack, "one"), worker(stack, "two", *forked):
        wait_for(
            lambda: scalar(engine, f"SELECT count(*) {window} AND state <> 'queued'", **span) > 0,
            30,
            "a worker started",
        )
        took = wait_for(done, 90, f"{DRAIN_JOBS} jobs done")
    print(
        f"\n{stack.queue}: two workers ran {DRAIN_JOBS} jobs in {took:.1f}s "
        f"({DRAIN_JOBS / took:.0f} jobs/s)"
    )
    with engine.connect() as connection:
        results = connection.execute(text(f"SELECT result, attempts {window}"), span).all()
    created = sum((json.loads(r) if isinstance(r, str) else r)["created"] for r, _ in results)
    assert created == DRAIN_EMAILS
    assert {tries for _, tries in results} == {1}
    assert users_like(engine, "drain") == DRAIN_EMAILS


def test_on_a_sqlite_file_one_worker_runs_every_import(stack: Stack, tmp_path: Path) -> None:
    """The same app and worker on a SQLite file (WAL, one writer at a time): every import runs
    once. The jobs per second printed are one worker's, from its first claim to its last job."""
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    sqlite = {"ALLOW_SQLITE_IN_PRODUCTION": "1", **queue_settings()}
    migrate(stack.project, stack.python, url, **sqlite)
    engine = create_engine(url)
    with serve(stack.project, stack.python, url, tmp_path, **sqlite) as served:
        on_sqlite = replace(stack, served=served, workdir=tmp_path)
        on_sqlite.worker_env = {**stack.worker_env, "DATABASE_URL": url, **sqlite}
        for n in range(SQLITE_JOBS):
            start_import(on_sqlite, rows(f"lite{n}", 2))
        with worker(on_sqlite, "sqlite"):
            wait_for(
                lambda: scalar(engine, "SELECT count(*) FROM jobs WHERE state <> 'queued'") > 0,
                30,
                "a worker started",
            )
            took = wait_for(
                lambda: (
                    scalar(engine, "SELECT count(*) FROM jobs WHERE state = 'done'") == SQLITE_JOBS
                ),
                60,
                f"{SQLITE_JOBS} jobs done",
            )
    print(
        f"\n{stack.queue} on SQLite: one worker ran {SQLITE_JOBS} jobs in {took:.1f}s "
        f"({SQLITE_JOBS / took:.0f} jobs/s)"
    )
    assert scalar(engine, "SELECT count(*) FROM users") == 2 * SQLITE_JOBS
    assert scalar(engine, "SELECT max(attempts) FROM jobs") == 1
    forget_queue(sqlite["JOB_QUEUE_NAME"])
    engine.dispose()
