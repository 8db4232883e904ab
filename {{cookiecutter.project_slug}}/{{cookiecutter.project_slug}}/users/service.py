"""The session work behind the users API. Views call these; they never touch the session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..database import db
from ..errors import Conflict, NotFound
from ..pagination import PageRequest
from ..transactions import transaction
from .models import User
from .schemas import UserCreate, UserUpdate, normalise_email

# Listing reads plain rows: the page is serialised as-is, so there is no need to build models.
LIST_COLUMNS = (User.id, User.email, User.name, User.created_at)
# id, email, name, created_at, and the total number of users
UserRow = Row[int, str, str, datetime, int]


def list_users(request: PageRequest) -> tuple[Sequence[UserRow], int]:
    """One page of users, oldest first, and how many there are in all.

    The total rides along with the page in a window function: one query per page. Only a
    page past the end (no rows to carry it) costs a separate count.
    """
    total_column = func.count().over().label("total")
    statement = (
        select(*LIST_COLUMNS, total_column)
        .order_by(User.id)
        .limit(request.per_page)
        .offset(request.offset)
    )
    rows = db.session.execute(statement).all()
    if rows:
        return rows, rows[0].total
    if request.page == 1:
        return rows, 0
    return rows, db.session.scalar(select(func.count()).select_from(User)) or 0


def get_user(user_id: int) -> User:
    """:raise NotFound: no user has this id."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id} does not exist.")
    return user


def create_user(data: UserCreate) -> User:
    """:raise Conflict: the email is taken."""
    email = normalise_email(data.email)
    user = User(email=email, name=data.name)
    try:
        with transaction():
            db.session.add(user)
    except IntegrityError:
        # The unique index settles races that a prior SELECT could not.
        raise Conflict(f"A user with email {email!r} already exists.") from None
    return user


def update_user(user_id: int, data: UserUpdate) -> User:
    """:raise NotFound: no such user. :raise Conflict: the new email is taken.

    One UPDATE finds the user and changes it: were it read first and written after, a DELETE
    committed in between would leave the write nothing to change.
    """
    changes = data.model_dump(exclude_unset=True)
    if "email" in changes:
        changes["email"] = normalise_email(changes["email"])
    try:
        with transaction():
            user = updated_user(user_id, changes)
            if user is None:
                raise NotFound(f"User {user_id} does not exist.")
    except IntegrityError:
        raise Conflict(f"A user with email {changes['email']!r} already exists.") from None
    return user


def updated_user(user_id: int, changes: dict[str, Any]) -> User | None:
    """Apply ``changes`` to one user and return it as it now is, or None if there is none.

    One round trip where the database hands back the rows it updated (PostgreSQL, SQLite);
    MySQL and MariaDB cannot, so there the user is read after the UPDATE.
    """
    statement = update(User).where(User.id == user_id).values(changes)
    if db.session.get_bind(User).dialect.update_returning:
        return db.session.scalars(statement.returning(User)).one_or_none()
    if db.session.execute(statement).rowcount == 0:  # type: ignore[attr-defined]
        return None
    return db.session.get(User, user_id)


def delete_user(user_id: int) -> None:
    """:raise NotFound: no such user."""
    with transaction():
        result = db.session.execute(delete(User).where(User.id == user_id))
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"User {user_id} does not exist.")


def add_users(rows: Sequence[dict[str, Any]]) -> None:
    """Insert many users in one transaction, with one round trip per driver batch."""
    if rows:
        with transaction():
            db.session.execute(insert(User), list(rows))
