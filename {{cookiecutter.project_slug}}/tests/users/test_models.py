"""What the users table tells apart: the same on every database, migrated or created."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select

from {{ cookiecutter.project_slug }} import db as _db
from {{ cookiecutter.project_slug }}.users.models import User

# Pairs of emails that a database comparing text without accents would take for one.
ACCENTED_TWINS = [("anna@münchen.de", "anna@munchen.de"), ("rene@example.com", "rené@example.com")]


@pytest.mark.parametrize("emails", ACCENTED_TWINS)
def test_emails_that_differ_only_in_accents_are_different_users(
    client: FlaskClient, db: Any, emails: tuple[str, str]
) -> None:
    for email in emails:
        response = client.post("/api/users", json={"email": email, "name": "Anna"})
        assert response.status_code == 201, response.json
    assert set(db.session.scalars(select(User.email))) == set(emails)


def test_the_migrated_table_tells_them_apart_too(migration_app: Flask) -> None:
    # ``flask db check`` does not compare collations, so this is what keeps the two agreeing.
    emails = {email for pair in ACCENTED_TWINS for email in pair}
    with migration_app.app_context():
        upgrade()
        _db.session.add_all(User(email=email, name="Anna") for email in emails)
        _db.session.commit()
        assert set(_db.session.scalars(select(User.email))) == emails
        _db.session.remove()
