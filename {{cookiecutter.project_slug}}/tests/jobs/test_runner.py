"""The worker side: each delivery claims the job's row first, so duplicates run nothing; a
transient database error is retried with backoff, bad data fails the job at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from {{ cookiecutter.project_slug }} import db as _db
from {{ cookiecutter.project_slug }}.context import app_context
from {{ cookiecutter.project_slug }}.jobs import Job, job, signals
from {{ cookiecutter.project_slug }}.jobs.models import utc_now
from {{ cookiecutter.project_slug }}.jobs.runner import run
from {{ cookiecutter.project_slug }}.users.jobs import IMPORT_JOB

from ..factories import user_count

FLAKY_FAILURES: list[int] = []  # how many more times the flaky job fails
SESSIONS: list[Session] = []


@job("test.flaky")
def flaky(payload: dict[str, Any]) -> dict[str, Any]:
    SESSIONS.append(_db.session())
    if FLAKY_FAILURES and FLAKY_FAILURES.pop():
        raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection"))
    return {"ok": True}


@pytest.fixture
def worker_app(make_app: Callable[..., Flask]) -> Flask:
    """An app that sends nothing (no broker): the test delivers each job itself."""
    return make_app(JOB_EAGER="0", JOB_RETRY_BACKOFF_MS="1", JOB_RETRIES="2")


@pytest.fixture
def events() -> Iterator[list[str]]:
    seen: list[str] = []
    handlers = {name: (lambda _, name=name: seen.append(name)) for name in ("retried", "failed")}
    for name, handler in handlers.items():
        getattr(signals, name).connect(handler)
    yield seen
    for name, handler in handlers.items():
        getattr(signals, name).disconnect(handler)


def add_job(app: Flask, name: str, payload: dict[str, Any], **values: Any) -> int:
    with app_context(app):
        row = Job(name=name, payload=payload, **values)
        _db.session.add(row)
        _db.session.commit()
        return row.id


def deliver(app: Flask, job_id: int) -> Job:
    with app_context(app):
        run(job_id)
        found = _db.session.get(Job, job_id)
        assert found is not None
        return found


def test_a_second_delivery_of_a_job_runs_nothing(worker_app: Flask, db: Any) -> None:
    rows = {"rows": [{"email": "once@example.com", "name": "Once"}]}
    job_id = add_job(worker_app, IMPORT_JOB, rows)
    first = deliver(worker_app, job_id)
    second = deliver(worker_app, job_id)
    assert (first.state, first.attempts) == ("done", 1)
    assert (second.state, second.attempts, second.result) == ("done", 1, first.result)
    assert user_count(db, "once@example.com") == 1


def test_a_running_job_is_left_alone_until_its_lease_ends(worker_app: Flask, db: Any) -> None:
    later = utc_now() + timedelta(minutes=5)
    job_id = add_job(worker_app, "test.flaky", {}, state="running", lease_until=later)
    assert deliver(worker_app, job_id).state == "running"
    with app_context(worker_app):  # its worker died: the lease runs out
        _db.session.execute(update(Job).values(lease_until=utc_now() - timedelta(seconds=1)))
        _db.session.commit()
    assert (deliver(worker_app, job_id).state, deliver(worker_app, job_id).attempts) == ("done", 1)


def test_each_attempt_has_a_session_of_its_own_released_after(
    worker_app: Flask, events: list[str]
) -> None:
    SESSIONS.clear()
    FLAKY_FAILURES[:] = [True, True]  # fails twice, then succeeds: within JOB_RETRIES=2
    done = deliver(worker_app, add_job(worker_app, "test.flaky", {}))
    assert (done.state, done.result) == ("done", {"ok": True})
    assert events == ["retried", "retried"]
    assert len(set(map(id, SESSIONS))) == 3


def test_a_job_out_of_retries_fails_with_the_reason(worker_app: Flask, events: list[str]) -> None:
    FLAKY_FAILURES[:] = [True, True, True]
    failed = deliver(worker_app, add_job(worker_app, "test.flaky", {}))
    assert failed.state == "failed"
    assert failed.error and failed.error.startswith("gave up after 3 attempts: OperationalError")
    assert events == ["retried", "retried", "failed"]


def test_bad_data_fails_the_job_at_once(worker_app: Flask, db: Any, events: list[str]) -> None:
    failed = deliver(worker_app, add_job(worker_app, IMPORT_JOB, {"rows": [{"email": 3}]}))
    assert failed.state == "failed"
    assert failed.error and failed.error.startswith("ValidationError")
    assert events == ["failed"]
    assert db.session.scalars(select(Job.attempts)).all() == [1]
