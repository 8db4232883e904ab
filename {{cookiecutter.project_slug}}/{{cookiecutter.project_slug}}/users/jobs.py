"""Background jobs of the users feature.

Plain functions, so any job runner can call them: each opens its own app context and session
and releases both when it returns, whatever thread or process it runs in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..context import AppSource, app_context
from ..database import db
from ..transactions import transaction
from .models import User
from .schemas import normalise_email


@dataclass
class ImportResult:
    created: int = 0
    skipped: list[str] = field(default_factory=list)


def import_users(app: AppSource, rows: Iterable[dict[str, Any]]) -> ImportResult:
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
    with app_context(app), transaction():
        for email, name in users:
            try:
                with transaction():
                    db.session.add(User(email=email, name=name))
            except IntegrityError:
                result.skipped.append(email)
            else:
                result.created += 1
    return result
