"""The session work behind the users API. Views call these; they never touch the session."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..bulk import insert_rows
from ..database import db
from ..errors import Conflict, NotFound
from ..lone_reads import reading, session_connection
from ..pagination import Page, PageRequest
from ..transactions import transaction
from .models import COLUMNS, User, UserRow
from .schemas import UserCreate, UserUpdate, normalise_email

# Reads return plain rows: they are serialised as-is, so there is no need to build models, and
# they skip the ORM's execute path (``reading`` runs them: see lone_reads.py). Each is built
# once, its values as parameters, so no request builds a statement and its cache key again,
# and lone_reads.py judges each once.
LIMIT, OFFSET, AFTER = (bindparam(name, type_=Integer) for name in ("limit", "offset", "after"))
OLDEST_FIRST = select(*COLUMNS).order_by(User.id).limit(LIMIT)
NEWEST_FIRST = select(*COLUMNS).order_by(User.id.desc()).limit(LIMIT)
PAGES = {  # (newest first, keyset) -> the page's statement
    (False, False): OLDEST_FIRST.offset(OFFSET),
    (False, True): OLDEST_FIRST.where(User.id > AFTER),
    (True, False): NEWEST_FIRST.offset(OFFSET),
    (True, True): NEWEST_FIRST.where(User.id < AFTER),
}
COUNT = select(func.count()).select_from(User)
BY_ID = select(*COLUMNS).where(User.id == bindparam("user_id"))
# Inserts go to the table, not the model: the ORM's unit of work costs more than the INSERT of
# one row, and its bulk insert would fetch each row's server defaults back for objects nobody
# builds. A new user comes back from the INSERT itself (RETURNING) where the database can.
# The ORM's mapper events and ``@validates`` do not run for these rows: the schemas check the
# input, and the table's defaults and constraints still apply.
USERS = User.metadata.tables[User.__tablename__]
INSERT = insert(USERS)
INSERT_RETURNING = INSERT.returning(*COLUMNS)


def list_users(request: PageRequest, *, newest_first: bool = False) -> Page[UserRow]:
    """One page of users, oldest first (or newest first), and how many there are in all when
    asked.

    A keyset page (``request.after``) is read from the primary key's index: its cost does not
    grow with the table. The total is a separate count, made only when the request wants it:
    counting every row is the one part of a page that grows with the table.
    """
    keyset = request.after is not None
    statement = PAGES[newest_first, keyset]
    bounds = {"after": request.after} if keyset else {"offset": request.offset}
    with reading(USERS, statement, COUNT) as reader:
        # One more row than shown says whether a next page exists.
        rows = reader.execute(statement, {"limit": request.per_page + 1, **bounds}).all()
        total = reader.execute(COUNT).scalar_one() if request.with_total else None
    return Page.of(rows, request, total)


def get_user(user_id: int) -> UserRow:
    """:raise NotFound: no user has this id."""
    with reading(USERS, BY_ID) as reader:
        user = reader.execute(BY_ID, {"user_id": user_id}).first()
    if user is None:
        raise NotFound(f"User {user_id} does not exist.")
    return user


def create_user(data: UserCreate) -> UserRow:
    """:raise Conflict: the email is taken."""
    email = normalise_email(data.email)
    try:
        with transaction():
            user = inserted_user({"email": email, "name": data.name})
    except IntegrityError:
        # The unique index settles races that a prior SELECT could not.
        raise Conflict(f"A user with email {email!r} already exists.") from None
    return user


def inserted_user(values: dict[str, Any]) -> UserRow:
    """Insert one user and return its row: from the INSERT itself where the database can
    (PostgreSQL, SQLite, MariaDB), read after it on MySQL."""
    connection = session_connection(USERS)
    if connection.dialect.insert_returning:
        return connection.execute(INSERT_RETURNING, values).one()
    key = connection.execute(INSERT, values).inserted_primary_key  # None only for many rows
    return connection.execute(BY_ID, {"user_id": key.id}).one()  # type: ignore[union-attr]


def update_user(user_id: int, data: UserUpdate) -> UserRow:
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


def updated_user(user_id: int, changes: dict[str, Any]) -> UserRow | None:
    """Apply ``changes`` to one user and return its row as it now is, or None if there is none.

    One round trip where the database hands back the rows it updated (PostgreSQL, SQLite);
    MySQL and MariaDB cannot, so there the user is read after the UPDATE.
    """
    statement = update(User).where(User.id == user_id).values(changes)
    if db.session.get_bind(User).dialect.update_returning:
        return db.session.execute(statement.returning(*COLUMNS)).one_or_none()
    if db.session.execute(statement).rowcount == 0:  # type: ignore[attr-defined]
        return None
    return db.session.execute(BY_ID, {"user_id": user_id}).one()


def delete_user(user_id: int) -> None:
    """:raise NotFound: no such user."""
    with transaction():
        result = db.session.execute(delete(User).where(User.id == user_id))
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"User {user_id} does not exist.")


def add_users(rows: Sequence[dict[str, Any]]) -> None:
    """Insert many users (valid rows: ``email`` lowercased, ``name``) in one transaction."""
    if rows:
        with transaction() as session:
            insert_rows(session, USERS, rows)
