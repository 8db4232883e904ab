"""Form posts follow the commit contract: a valid post is committed once, in every mode, and
only where the mode says; an invalid post commits nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask, Response, g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from {{ cookiecutter.project_slug }}.transactions import CommitMode

from ..factories import UserFactory, user_count
from .forms import form_token, post_user

# Where the one commit of a valid post happens: in the view (the service's transaction() in
# manual, commit_now() in autocommit), or after it, when the 303 decides.
WHERE = {
    "manual": "in the view",
    "autocommit": "in the view",
    "autocommit_include_redirect": "when the status decides",
}


@pytest.fixture(params=[mode.value for mode in CommitMode])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def mode_app(make_app: Callable[..., Flask], mode: str) -> Flask:
    app = make_app(DATABASE_COMMIT_MODE=mode)

    # Registered last, so Flask runs it first of the after-request hooks: the view is done,
    # and only the commit mode's decision (which runs last of all) is still to come.
    @app.after_request
    def mark_the_view_done(response: Response) -> Response:
        g.view_done = True
        return response

    return app


@contextmanager
def commits_seen() -> Iterator[list[str]]:
    """Record each COMMIT sent to a database inside the block, and when in the request."""
    seen: list[str] = []

    def on_commit(_connection: Connection) -> None:
        late = has_app_context() and g.get("view_done", False)
        seen.append("when the status decides" if late else "in the view")

    event.listen(Engine, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(Engine, "commit", on_commit)


def test_a_valid_post_is_committed_once_where_the_mode_says(
    mode_app: Flask, db: Any, mode: str
) -> None:
    client = mode_app.test_client()
    token = form_token(client)
    with commits_seen() as commits:
        response = post_user(client, "ada@example.com", "Ada", token=token)
    assert response.status_code == 303
    assert commits == [WHERE[mode]]
    assert user_count(db, "ada@example.com") == 1


@pytest.mark.parametrize(
    ("email", "name"),
    [("not-an-email", "Ada"), ("ada@example.com", ""), ("taken@example.com", "Ada")],
)
def test_an_invalid_post_commits_nothing(mode_app: Flask, db: Any, email: str, name: str) -> None:
    UserFactory(email="taken@example.com")
    client = mode_app.test_client()
    token = form_token(client)
    with commits_seen() as commits:
        response = post_user(client, email, name, token=token)
    assert response.status_code == 422
    assert commits == []
    assert user_count(db, email) == (1 if email == "taken@example.com" else 0)
