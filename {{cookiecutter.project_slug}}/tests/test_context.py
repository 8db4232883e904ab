"""``app_context()``: code outside requests gets its own session and always gives it back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.context import app_context, with_app_context

from .guards import checked_out


@pytest.fixture
def begun_sessions() -> Iterator[list[Session]]:
    """Every session that starts a transaction while the test runs."""
    sessions: list[Session] = []

    def record(session: Session, *_: Any) -> None:
        sessions.append(session)

    event.listen(Session, "after_begin", record)
    yield sessions
    event.remove(Session, "after_begin", record)


def engine_of(app: Flask) -> Any:
    with app.app_context():
        return db.engine


def test_runs_with_the_app_it_is_given(committed_app: Flask) -> None:
    with app_context(committed_app) as app:
        assert current_app._get_current_object() is app is committed_app  # type: ignore[attr-defined]
        assert db.session.scalar(select(1)) == 1
    assert checked_out(engine_of(committed_app)) == 0


def test_calls_a_factory_to_make_the_app(committed_app: Flask) -> None:
    with app_context(lambda: committed_app) as app:
        assert app is committed_app


def test_reuses_the_current_app_with_a_session_of_its_own(
    committed_app: Flask, begun_sessions: list[Session]
) -> None:
    with committed_app.app_context():
        db.session.execute(select(1))
        with app_context() as app:
            assert app is committed_app
            db.session.execute(select(1))
        db.session.remove()
    assert len(begun_sessions) == 2
    assert begun_sessions[0] is not begun_sessions[1]


def test_releases_the_session_when_the_block_fails(committed_app: Flask) -> None:
    with pytest.raises(ZeroDivisionError), app_context(committed_app):
        db.session.execute(select(1))
        assert checked_out(engine_of(committed_app)) == 1
        _ = 1 / 0
    assert checked_out(engine_of(committed_app)) == 0


def test_without_any_app_it_says_what_to_pass() -> None:
    with pytest.raises(RuntimeError, match="pass the app or its factory"), app_context():
        pass


def test_decorator_form(committed_app: Flask) -> None:
    @with_app_context(committed_app)
    def job() -> int:
        return int(db.session.scalar(select(41)) or 0) + 1

    assert job() == 42
    assert checked_out(engine_of(committed_app)) == 0
