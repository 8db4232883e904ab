"""Test data: factory-boy factories whose objects go into the app's session."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.users.models import User


class UserFactory(SQLAlchemyModelFactory):
    class Meta:
        model = User
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        # Committed inside the test transaction (a SAVEPOINT): visible to requests, gone after.
        sqlalchemy_session_persistence = "commit"

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
