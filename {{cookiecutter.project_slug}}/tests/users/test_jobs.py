"""The import job: runs anywhere, several at once, each with a session of its own."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.users.jobs import ImportResult, import_users
from {{ cookiecutter.project_slug }}.users.models import User

from ..guards import checked_out

JOBS = 6
ROWS_PER_JOB = 20
ROUNDS = 5


@pytest.fixture
def sessions_by_thread() -> Iterator[dict[Session, set[int]]]:
    """For each session that begins a transaction, the threads that used it.

    Keyed by the sessions themselves, which keeps them alive: an id() could be reused by a
    later session once an earlier one is freed.
    """
    seen: dict[Session, set[int]] = {}
    lock = threading.Lock()

    def record(session: Session, *_: Any) -> None:
        with lock:
            seen.setdefault(session, set()).add(threading.get_ident())

    event.listen(Session, "after_begin", record)
    yield seen
    event.remove(Session, "after_begin", record)


def rows(job: int) -> list[dict[str, str]]:
    return [{"email": f"job{job}-{n}@example.com", "name": f"J{n}"} for n in range(ROWS_PER_JOB)]


def count_users(app: Flask) -> int:
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(User)) or 0
        db.session.remove()
        return total


def test_creates_users_and_skips_taken_emails(committed_app: Flask) -> None:
    first = import_users(committed_app, rows(1)[:5])
    second = import_users(committed_app, [*rows(1)[:2], {"email": "NEW@example.com", "name": "N"}])
    assert (first.created, first.skipped) == (5, [])
    assert (second.created, sorted(second.skipped)) == (
        1,
        ["job1-0@example.com", "job1-1@example.com"],
    )
    assert count_users(committed_app) == 6


def test_jobs_in_threads_never_share_a_session_and_release_every_connection(
    committed_app: Flask, sessions_by_thread: dict[Session, set[int]]
) -> None:
    with ThreadPoolExecutor(max_workers=JOBS) as pool:
        results = list(pool.map(lambda job: import_users(committed_app, rows(job)), range(JOBS)))
    assert [result.created for result in results] == [ROWS_PER_JOB] * JOBS
    assert count_users(committed_app) == JOBS * ROWS_PER_JOB
    assert len(sessions_by_thread) >= JOBS
    assert all(len(threads) == 1 for threads in sessions_by_thread.values())
    with committed_app.app_context():
        assert checked_out(db.engine) == 0


def test_concurrent_jobs_with_the_same_emails_create_each_user_once(committed_app: Flask) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: import_users(committed_app, rows(7)), range(4)))
    assert sum(result.created for result in results) == ROWS_PER_JOB
    assert count_users(committed_app) == ROWS_PER_JOB


def import_at_once(app: Flask, batches: list[list[dict[str, str]]]) -> list[ImportResult]:
    """One import per batch, each in its own thread, all starting at the same moment."""
    start = threading.Barrier(len(batches))

    def run(batch: list[dict[str, str]]) -> ImportResult:
        start.wait(timeout=10)
        return import_users(app, batch)

    with ThreadPoolExecutor(max_workers=len(batches)) as pool:
        return list(pool.map(run, batches, timeout=60))


def test_imports_of_the_same_rows_in_opposite_orders_both_finish(committed_app: Flask) -> None:
    # Taken in opposite orders, two imports' row locks would make each wait for the other.
    for round_number in range(ROUNDS):
        batch = rows(100 + round_number)
        results = import_at_once(committed_app, [batch, batch[::-1]])
        assert sum(result.created for result in results) == ROWS_PER_JOB
    assert count_users(committed_app) == ROUNDS * ROWS_PER_JOB
