"""Copied into a baked project's ``tests/`` by ``benchmarks/fixtures.py``: the same test body
three ways, 200 times each (``FIXTURE_TESTS``).

- ``test_baked``: the baked ``db`` and ``client`` fixtures (tables emptied after each test).
- ``test_create_drop``: a plain fixture that creates the schema before each test and drops it
  after, on a database of its own.
- ``test_bare``: no database fixture (the suite's own after-test check still runs).

Each body adds a user and checks that it got id 1, so each test must find a fresh schema.
"""
# ruff: noqa: S101 - a test module, kept here until the benchmark copies it into tests/

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from flask_db_app import db as app_db
from flask_db_app.users.models import User
from sqlalchemy import Engine, create_engine, insert, select

from .databases import new_database

TESTS = range(int(os.environ.get("FIXTURE_TESTS", "200")))


@pytest.fixture(scope="module")
def own_engine(database_urls: dict[str, str], tmp_path_factory: Any) -> Iterator[Engine]:
    folder = tmp_path_factory.mktemp("create-drop")
    with new_database(database_urls["TEST_DATABASE_URL"], folder) as url:
        engine = create_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def created_and_dropped(own_engine: Engine) -> Iterator[Engine]:
    app_db.metadata.create_all(own_engine)
    yield own_engine
    app_db.metadata.drop_all(own_engine)


@pytest.mark.parametrize("number", TESTS)
def test_baked(db: Any, client: Any, number: int) -> None:
    db.session.add(User(email=f"u{number}@example.com", name="U"))
    db.session.commit()
    assert db.session.scalar(select(User.id)) == 1


@pytest.mark.parametrize("number", TESTS)
def test_create_drop(created_and_dropped: Engine, number: int) -> None:
    with created_and_dropped.begin() as connection:
        connection.execute(insert(User), {"email": f"u{number}@example.com", "name": "U"})
        assert connection.scalar(select(User.id)) == 1


@pytest.mark.parametrize("number", TESTS)
def test_bare(number: int) -> None:
    assert number in TESTS
