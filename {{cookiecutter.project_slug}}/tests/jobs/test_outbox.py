"""Enqueue on commit: a job exists, and is sent, only once the transaction that submits it
commits. The tests run each job at once when it is sent (``JOB_EAGER``), as a worker would."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Blueprint, Flask, jsonify
from sqlalchemy import select, update

from {{ cookiecutter.project_slug }} import db as _db
from {{ cookiecutter.project_slug }}.errors import APIError
from {{ cookiecutter.project_slug }}.jobs import Job, signals, submit, submit_now
from {{ cookiecutter.project_slug }}.jobs.models import utc_now
from {{ cookiecutter.project_slug }}.jobs.resend import resend_stale
from {{ cookiecutter.project_slug }}.transactions import transaction
from {{ cookiecutter.project_slug }}.users.jobs import IMPORT_JOB

from ..factories import user_count

bp = Blueprint("job_probes", __name__, url_prefix="/api/job-probe")


def rows(label: str) -> dict[str, Any]:
    return {"rows": [{"email": f"{label}@example.com", "name": "Probe"}]}


@bp.post("/commit")
def submit_and_commit() -> Any:
    with transaction():
        job = submit(IMPORT_JOB, rows("commit"))
    return jsonify(id=job.id), 201


@bp.post("/fail")
def submit_then_fail() -> Any:
    submit(IMPORT_JOB, rows("fail"))
    raise APIError("the request fails after submitting")


@bp.post("/savepoint")
def submit_in_an_undone_block() -> Any:
    with transaction():
        _db.session.scalar(select(Job.id))  # work before the block: the block is a SAVEPOINT
        try:
            with transaction():  # a SAVEPOINT, undone with the job in it
                submit(IMPORT_JOB, rows("savepoint"))
                raise LookupError("undo the block")
        except LookupError:
            pass
        submit(IMPORT_JOB, rows("kept"))
    return jsonify(ok=True), 201


@bp.post("/released")
def submit_in_a_released_block() -> Any:
    with transaction():
        _db.session.scalar(select(Job.id))  # work before the block: the block is a SAVEPOINT
        with transaction():  # a SAVEPOINT, released: the job still waits for the commit
            submit(IMPORT_JOB, rows("released"))
    return jsonify(ok=True), 201


@bp.post("/now")
def submit_now_then_fail() -> Any:
    submit_now(IMPORT_JOB, rows("now"))
    raise APIError("the request fails, the job was committed on its own")


@pytest.fixture
def probe_app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app()
    app.register_blueprint(bp)
    return app


@pytest.fixture
def sent() -> Iterator[list[int]]:
    """How many jobs each send handed to the broker."""
    counts: list[int] = []

    def record(_: Any, count: int) -> None:
        counts.append(count)

    signals.sent.connect(record)
    yield counts
    signals.sent.disconnect(record)


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def jobs(db: Any) -> list[Job]:
    return list(db.session.scalars(select(Job).order_by(Job.id)))


def test_a_committed_request_sends_its_job_once_after_the_commit(
    probe_app: Flask, db: Any, sent: list[int]
) -> None:
    assert probe_app.test_client().post("/api/job-probe/commit").status_code == 201
    assert sent == [1]
    [job] = jobs(db)
    # Run at the send: the worker's claim found the row, so it was committed by then.
    assert (job.state, job.attempts, job.result) == ("done", 1, {"created": 1, "skipped": []})
    assert user_count(db, "commit@example.com") == 1


def test_a_request_that_rolls_back_leaves_no_job_and_sends_nothing(
    probe_app: Flask, db: Any, sent: list[int]
) -> None:
    assert probe_app.test_client().post("/api/job-probe/fail").status_code == 400
    assert (jobs(db), sent, user_count(db)) == ([], [], 0)


def test_a_job_submitted_in_an_undone_savepoint_is_gone_with_it(
    probe_app: Flask, db: Any, sent: list[int]
) -> None:
    assert probe_app.test_client().post("/api/job-probe/savepoint").status_code == 201
    assert [job.payload for job in jobs(db)] == [rows("kept")]
    assert sent == [1]
    assert user_count(db, "savepoint@example.com") == 0


def test_a_job_submitted_in_a_released_savepoint_is_sent_after_the_outer_commit(
    probe_app: Flask, db: Any, sent: list[int]
) -> None:
    assert probe_app.test_client().post("/api/job-probe/released").status_code == 201
    assert sent == [1]
    assert [job.state for job in jobs(db)] == ["done"]  # sent early, its claim finds no row
    assert user_count(db, "released@example.com") == 1


def test_submit_now_commits_and_sends_whatever_the_request_does(
    probe_app: Flask, db: Any, sent: list[int]
) -> None:
    assert probe_app.test_client().post("/api/job-probe/now").status_code == 400
    assert [job.state for job in jobs(db)] == ["done"]
    assert sent == [1]


def test_a_failed_send_leaves_a_queued_row_that_is_sent_again(
    make_app: Callable[..., Flask], app: Flask, db: Any, sent: list[int]
) -> None:
    unreachable = make_app(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0", JOB_EAGER="0")
    response = unreachable.test_client().post("/api/users/imports", json=rows("lost"))
    assert response.status_code == 202  # the commit stands: the row is the record
    assert [job.state for job in jobs(db)] == ["queued"] and sent == []
    with app.app_context():
        assert resend_stale() == []  # not stale yet: it may still be on its way
        _db.session.execute(update(Job).values(queued_at=utc_now() - timedelta(hours=1)))
        _db.session.commit()
        assert resend_stale() == [response.json["id"]]
    db.session.rollback()  # a new snapshot (MySQL reads repeatably within one transaction)
    assert [job.state for job in jobs(db)] == ["done"]
    assert sent == [1]
    assert user_count(db, "lost@example.com") == 1
