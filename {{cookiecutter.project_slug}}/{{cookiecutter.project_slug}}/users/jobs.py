"""Background jobs of the users feature.

Plain functions, so any job runner can call them: each opens its own app context and session
and releases both when it returns, whatever thread or process it runs in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select

from ..context import AppSource, app_context
from ..database import db
from ..transactions import transaction
from .models import User
from .schemas import normalise_email


def import_users(app: AppSource, rows: Iterable[dict[str, Any]]) -> int:
    """Create the users in ``rows`` whose email is not taken yet; return how many."""
    wanted = {normalise_email(row["email"]): row["name"] for row in rows}
    with app_context(app), transaction():
        taken = set(db.session.scalars(select(User.email).where(User.email.in_(wanted))))
        new = [{"email": email, "name": name} for email, name in wanted.items()]
        new = [row for row in new if row["email"] not in taken]
        if new:
            db.session.execute(insert(User), new)
    return len(new)
