"""``transaction()``: commit on success, roll back and re-raise on failure, SAVEPOINT inside."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from {{ cookiecutter.project_slug }} import db as _db
from {{ cookiecutter.project_slug }}.transactions import transaction
from {{ cookiecutter.project_slug }}.users.models import User

from .probes import KILL_CONNECTION, OWN_CONNECTION_ID


class Boom(Exception):
    pass


def emails(db: Any) -> set[str]:
    db.session.rollback()  # read what was committed, not what the session still holds
    return set(db.session.scalars(select(User.email)))


def add(db: Any, email: str) -> None:
    db.session.add(User(email=email, name="T"))


def test_commits_when_the_block_succeeds(db: Any) -> None:
    with transaction():
        add(db, "a@t.test")
    assert emails(db) == {"a@t.test"}


def test_rolls_back_and_reraises_when_the_block_fails(db: Any) -> None:
    with pytest.raises(Boom), transaction():
        add(db, "a@t.test")
        raise Boom
    assert emails(db) == set()


def test_nested_failure_is_a_savepoint_the_outer_work_survives(db: Any) -> None:
    with transaction():
        add(db, "outer@t.test")
        with pytest.raises(Boom), transaction():
            add(db, "inner@t.test")
            raise Boom
        add(db, "after@t.test")
    assert emails(db) == {"outer@t.test", "after@t.test"}


def test_outer_failure_undoes_the_inner_work_too(db: Any) -> None:
    with pytest.raises(Boom), transaction():
        with transaction():
            add(db, "inner@t.test")
        raise Boom
    assert emails(db) == set()


def test_an_integrity_error_inside_a_savepoint_can_be_caught(db: Any) -> None:
    with transaction():
        add(db, "taken@t.test")
    with transaction():
        add(db, "new@t.test")
        with pytest.raises(IntegrityError), transaction():
            add(db, "taken@t.test")
    assert emails(db) == {"taken@t.test", "new@t.test"}


def test_a_caught_failed_block_undoes_only_itself(db: Any) -> None:
    add(db, "before@t.test")
    with pytest.raises(Boom), transaction():
        add(db, "inside@t.test")
        raise Boom
    with transaction():  # the outermost block commits what came before it too
        add(db, "after@t.test")
    assert emails(db) == {"before@t.test", "after@t.test"}


def test_the_outermost_block_commits_work_done_before_it(db: Any) -> None:
    add(db, "before@t.test")
    with transaction():
        add(db, "inside@t.test")
    assert emails(db) == {"before@t.test", "inside@t.test"}


def test_works_as_a_decorator(db: Any) -> None:
    @transaction()
    def create(email: str) -> None:
        add(db, email)

    create("a@t.test")
    create("b@t.test")
    assert emails(db) == {"a@t.test", "b@t.test"}


def test_the_session_is_usable_after_a_failure(db: Any) -> None:
    with pytest.raises(Boom), transaction():
        add(db, "a@t.test")
        raise Boom
    with transaction():
        add(db, "b@t.test")
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_the_blocks_own_error_survives_a_connection_the_server_dropped(
    committed_app: Flask,
) -> None:
    with committed_app.app_context():
        dialect = _db.engine.dialect.name
        if dialect not in OWN_CONNECTION_ID:
            pytest.skip("SQLite has no server connection to lose")
        with pytest.raises(Boom), transaction():
            own_id = _db.session.execute(text(OWN_CONNECTION_ID[dialect])).scalar_one()
            with _db.engine.connect() as other:
                other.execute(text(KILL_CONNECTION[dialect]), {"id": own_id})
            raise Boom
        _db.session.remove()
