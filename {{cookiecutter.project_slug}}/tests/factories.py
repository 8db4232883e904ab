"""Test data: factory-boy factories whose objects go into the app's session."""

from __future__ import annotations

from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy import func, select

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.users.models import User


class UserFactory(SQLAlchemyModelFactory):
    class Meta:
        model = User
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        # Committed for real, so requests see it; the tables are emptied after each test.
        sqlalchemy_session_persistence = "commit"

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")


def user_count(db: Any, email: str | None = None) -> int:
    """How many users the test body's session sees (those with ``email``, when given)."""
    statement = select(func.count()).select_from(User)
    if email is not None:
        statement = statement.where(User.email == email)
    return int(db.session.scalar(statement))
