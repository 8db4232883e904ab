"""What each ``DATABASE_COMMIT_MODE`` does with the work a request leaves in its session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, Response, request_finished
from flask.sessions import SecureCookieSessionInterface

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.request_commit import UncommittedWrites, start_request
from {{ cookiecutter.project_slug }}.transactions import CommitMode
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
    response = probe_app.test_client().post(f"/api/probe/{kind}/{status}")
    assert response.status_code == status
    committed = count_emails(probe_app, f"{status}@probe.test")
    assert committed == (1 if status in COMMITTED[mode] else 0)


def test_a_view_that_writes_then_raises_leaves_nothing(probe_app: Flask) -> None:
    assert probe_app.test_client().post("/api/probe/write/500").status_code == 500
    assert count_emails(probe_app, "500@probe.test") == 0


@pytest.mark.parametrize("path", ["/api/probe/duplicate", "/api/probe/duplicate-in-transaction"])
def test_a_failed_commit_never_answers_success(probe_app: Flask, mode: str, path: str) -> None:
    add_taken_user(probe_app)
    response = probe_app.test_client().post(path)
    if mode == "manual" and path == "/api/probe/duplicate":
        # Nothing commits in manual mode: the duplicate is simply discarded.
        assert response.status_code == 200
    else:
        assert response.status_code == 409
        assert response.mimetype == "application/problem+json"
    assert count_emails(probe_app, "taken@probe.test") == 1


def test_a_request_after_a_failed_commit_finds_a_clean_session(probe_app: Flask) -> None:
    add_taken_user(probe_app)
    client = probe_app.test_client()
    assert client.post("/api/probe/duplicate-in-transaction").status_code == 409
    created = client.post("/api/users", json={"email": "next@example.com", "name": "Next"})
    assert created.status_code == 201
    listing: Any = client.get("/api/users").json
    assert listing["total"] == 2


def test_manual_mode_adds_no_work_to_requests(make_app: Callable[..., Flask]) -> None:
    for mode_name in MODES:
        hooks = make_app(DATABASE_COMMIT_MODE=mode_name).before_request_funcs.get(None, [])
        assert (start_request in hooks) is (mode_name != "manual")


def test_a_lost_connection_at_commit_is_503(make_app: Callable[..., Flask], mode: str) -> None:
    app = add_probes(make_app(DATABASE_COMMIT_MODE=mode))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite has no server connection to lose")
    client = app.test_client()
    # In manual mode the view commits itself; otherwise the commit mode does it.
    response = client.post(
        "/api/probe/lose-connection" + ("?commit=1" if mode == "manual" else "")
    )
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert count_emails(app, "lost@probe.test") == 0
    assert client.get("/api/users").status_code == 200


def test_a_caught_failed_block_keeps_the_requests_earlier_work(
    probe_app: Flask, mode: str
) -> None:
    add_taken_user(probe_app)
    response = probe_app.test_client().post("/api/probe/audit-then-caught-conflict")
    assert response.json == {"duplicate": True}
    # The block undid only itself; the audit row is the request's, committed as the mode says.
    assert count_emails(probe_app, "audit@probe.test") == (0 if mode == "manual" else 1)


@pytest.mark.parametrize("status", [200, 302, 400, 409, 500])
def test_a_services_block_waits_for_the_requests_status(
    probe_app: Flask, mode: str, status: int
) -> None:
    assert probe_app.test_client().post(f"/api/probe/service-then/{status}").status_code == status
    # In manual mode the block commits; otherwise the response status decides.
    committed = mode == "manual" or status in COMMITTED[mode]
    assert count_emails(probe_app, f"service{status}@example.com") == int(committed)


def test_commit_now_commits_whatever_the_status(probe_app: Flask) -> None:
    assert probe_app.test_client().post("/api/probe/commit-now-then/400").status_code == 400
    assert count_emails(probe_app, "now400@probe.test") == 1


def test_commit_now_is_refused_inside_a_block(probe_app: Flask) -> None:
    assert probe_app.test_client().post("/api/probe/commit-now-inside-a-block").status_code == 500
    assert count_emails(probe_app, "inside@probe.test") == 0


class FailingSessions(SecureCookieSessionInterface):
    """A session store that is down."""

    def save_session(self, *args: Any) -> None:
        raise RuntimeError("the session store failed")


def fail(*_: Any) -> None:
    raise RuntimeError("a step after the view failed")


def fail_after_the_view(app: Flask, step: str) -> None:
    """Make one of the steps Flask takes after the view fail, as an extension might."""
    if step in ("app hook", "blueprint hook"):
        key = None if step == "app hook" else "probes"
        app.after_request_funcs.setdefault(key, []).append(fail)
    elif step == "hook placed first":
        app.after_request_funcs.setdefault(None, []).insert(0, fail)
    elif step == "session cookie":
        app.session_interface = FailingSessions()
    else:
        request_finished.connect(fail, app)


@pytest.mark.parametrize(
    "step", ["app hook", "blueprint hook", "hook placed first", "session cookie", "signal"]
)
def test_a_step_that_fails_after_the_view_leaves_nothing_committed(
    probe_app: Flask, step: str
) -> None:
    probe_app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500 as production does
    fail_after_the_view(probe_app, step)
    try:
        assert probe_app.test_client().post("/api/probe/write/201").status_code == 500
    finally:
        request_finished.disconnect(fail, probe_app)
    assert count_emails(probe_app, "201@probe.test") == 0


def test_a_failed_commit_rolls_back_what_hooks_write_for_the_error(
    probe_app: Flask, mode: str
) -> None:
    """Hooks see a request whose commit failed twice: once more for the error response."""
    if mode == "manual":
        pytest.skip("nothing commits at the end of a request in manual mode")
    statuses: list[int] = []

    def audit(response: Response) -> Response:
        statuses.append(response.status_code)
        db.session.add(User(email=f"audit{len(statuses)}@probe.test", name="Audit"))
        return response

    probe_app.after_request(audit)
    add_taken_user(probe_app)
    response = probe_app.test_client().post("/api/probe/duplicate")
    assert response.status_code == 409
    assert statuses == [200, 409]
    assert count_emails(probe_app, "audit1@probe.test") == 0
    assert count_emails(probe_app, "audit2@probe.test") == 0


@pytest.mark.parametrize("how", ["block", "commit-now"])
def test_writes_the_code_commits_while_streaming_are_kept(probe_app: Flask, how: str) -> None:
    response = probe_app.test_client().post(f"/api/probe/stream/{how}")
    assert response.get_data(as_text=True) == "started\ndone\n"
    assert count_emails(probe_app, "streamed@probe.test") == 1


@pytest.mark.parametrize("how", ["orm", "sql"])
def test_writes_left_uncommitted_while_streaming_are_refused_loudly(
    probe_app: Flask, mode: str, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    if mode == "manual":
        pytest.skip("in manual mode only the code commits, while streaming as anywhere else")
    response = probe_app.test_client().post(f"/api/probe/stream/{how}")
    with pytest.raises(UncommittedWrites, match="transaction\\(\\) or call commit_now"):
        response.get_data()
    assert "Writes made after the response status was sent" in caplog.text
    assert count_emails(probe_app, "streamed@probe.test") == 0
