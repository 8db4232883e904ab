"""What each ``DATABASE_COMMIT_MODE`` does with the work a request leaves in its session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.transactions import CommitMode, commit_request
from {{ cookiecutter.project_slug }}.users.models import User

from .probes import STATUSES, add_probes, count_emails

MODES = [mode.value for mode in CommitMode]
COMMITTED = {
    "manual": set(),
    "autocommit": {200, 201, 204},
    "autocommit_include_redirect": {200, 201, 204, 302},
}


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def probe_app(make_app: Callable[..., Flask], mode: str) -> Flask:
    return add_probes(make_app(DATABASE_COMMIT_MODE=mode))


def add_taken_user(app: Flask) -> None:
    with app.app_context():
        db.session.add(User(email="taken@probe.test", name="First"))
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("kind", ["write", "async"])
def test_work_is_committed_exactly_as_the_mode_says(
    probe_app: Flask, mode: str, kind: str, status: int
) -> None:
    response = probe_app.test_client().post(f"/probe/{kind}/{status}")
    assert response.status_code == status
    committed = count_emails(probe_app, f"{status}@probe.test")
    assert committed == (1 if status in COMMITTED[mode] else 0)


def test_a_view_that_writes_then_raises_leaves_nothing(probe_app: Flask) -> None:
    assert probe_app.test_client().post("/probe/write/500").status_code == 500
    assert count_emails(probe_app, "500@probe.test") == 0


@pytest.mark.parametrize("path", ["/probe/duplicate", "/probe/duplicate-in-transaction"])
def test_a_failed_commit_never_answers_success(probe_app: Flask, mode: str, path: str) -> None:
    add_taken_user(probe_app)
    response = probe_app.test_client().post(path)
    if mode == "manual" and path == "/probe/duplicate":
        # Nothing commits in manual mode: the duplicate is simply discarded.
        assert response.status_code == 200
    else:
        assert response.status_code == 409
        assert response.mimetype == "application/problem+json"
    assert count_emails(probe_app, "taken@probe.test") == 1


def test_a_request_after_a_failed_commit_finds_a_clean_session(probe_app: Flask) -> None:
    add_taken_user(probe_app)
    client = probe_app.test_client()
    assert client.post("/probe/duplicate-in-transaction").status_code == 409
    created = client.post("/api/users", json={"email": "next@example.com", "name": "Next"})
    assert created.status_code == 201
    listing: Any = client.get("/api/users").json
    assert listing["total"] == 2


def test_manual_mode_adds_no_work_to_requests(make_app: Callable[..., Flask]) -> None:
    for mode_name in MODES:
        hooks = make_app(DATABASE_COMMIT_MODE=mode_name).after_request_funcs.get(None, [])
        assert (commit_request in hooks) is (mode_name != "manual")


def test_a_lost_connection_at_commit_is_503(
    make_committed_app: Callable[..., Flask], mode: str
) -> None:
    app = add_probes(make_committed_app(DATABASE_COMMIT_MODE=mode))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite has no server connection to lose")
    client = app.test_client()
    # In manual mode the view commits itself; otherwise the commit mode does it.
    response = client.post("/probe/lose-connection" + ("?commit=1" if mode == "manual" else ""))
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert count_emails(app, "lost@probe.test") == 0
    assert client.get("/api/users").status_code == 200
