"""Background jobs of the users feature.

``import_rows`` works in the current session; ``import_users`` gives it an app context and
session of its own (any thread or process); ``import_job`` is the job the imports API submits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..context import AppSource, app_context
from ..database import db
from ..jobs import job
from ..transactions import transaction
from .models import User
from .schemas import ImportRequest, normalise_email

IMPORT_JOB = "users.import"


@dataclass
class ImportResult:
    created: int = 0
    skipped: list[str] = field(default_factory=list)


def import_users(app: AppSource, rows: Iterable[dict[str, Any]]) -> ImportResult:
    """:func:`import_rows` in an app context of its own, whose session is released after."""
    with app_context(app):
        return import_rows(rows)


@job(IMPORT_JOB)
def import_job(payload: dict[str, Any]) -> dict[str, Any]:
    """The import as a job: ``{"rows": [...]}`` in, ``{"created", "skipped"}`` out.

    Idempotent: run again with the same rows, it creates nothing more.
    """
    rows = ImportRequest.model_validate(payload).model_dump()["rows"]
    result = import_rows(rows)
    return {"created": result.created, "skipped": result.skipped}


def import_rows(rows: Iterable[dict[str, Any]]) -> ImportResult:
    """Create a user per row; a row whose email is taken is skipped, the others are kept.

    Each row gets a SAVEPOINT, so a taken email (even one taken a moment ago by a concurrent
    job) undoes only its own row. The whole import commits once, at the end.

    Rows are inserted in email order, whatever order they come in: each insert locks its email
    until the commit, so two imports of the same emails in different orders would each wait
    for an email the other holds (a deadlock, which loses one whole import). In one order, the
    later import waits for the earlier one and then skips what it created.
    """
    users = sorted((normalise_email(row["email"]), row["name"]) for row in rows)
    result = ImportResult()
    with transaction():
        for email, name in users:
            try:
                with transaction():
                    db.session.add(User(email=email, name=name))
            except IntegrityError:
                result.skipped.append(email)
            else:
                result.created += 1
    return result
