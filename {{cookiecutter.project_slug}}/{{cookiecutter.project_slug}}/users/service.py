"""The session work behind the users API. Views call these; they never touch the session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import Connection, Result, Row, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.selectable import TypedReturnsRows

from ..bulk import insert_rows
from ..database import db
from ..errors import Conflict, NotFound
from ..pagination import Page, PageRequest
from ..transactions import transaction
from .models import User
from .schemas import UserCreate, UserUpdate, normalise_email

# Reads return plain rows: they are serialised as-is, so there is no need to build models, and
# they run on the session's connection (see ``read``), which skips the ORM's work per statement.
LIST_COLUMNS = (User.id, User.email, User.name, User.created_at)
UserRow = Row[int, str, str, datetime]  # id, email, name, created_at
LIST = select(*LIST_COLUMNS).order_by(User.id)
NEWEST_FIRST = select(*LIST_COLUMNS).order_by(User.id.desc())
COUNT = select(func.count()).select_from(User)
BY_ID = select(*LIST_COLUMNS).where(User.id == bindparam("user_id"))
# Inserts go to the table, not the model: the ORM's unit of work costs more than the INSERT of
# one row, and its bulk insert would fetch each row's server defaults back for objects nobody
# builds. A new user comes back from the INSERT itself (RETURNING) where the database can.
# The ORM's mapper events and ``@validates`` do not run for these rows: the schemas check the
# input, and the table's defaults and constraints still apply.
USERS = User.metadata.tables[User.__tablename__]
INSERT = insert(USERS)
INSERT_RETURNING = INSERT.returning(*LIST_COLUMNS)
Columns = TypeVarTuple("Columns")


def read(
    statement: TypedReturnsRows[*Columns], parameters: dict[str, Any] | None = None
) -> Result[*Columns]:
    """Run a column-only SELECT on the session's connection to the users' database.

    The ORM's execute path (``db.session.execute``) costs more than the query itself on a
    primary-key read, and gives nothing to rows that are not models. The connection is the
    session's own, so the read sees the session's transaction and is ended with it, and the
    session's pending changes are flushed first, as the ORM's autoflush would.
    """
    return users_connection().execute(statement, parameters)


def users_connection() -> Connection:
    """The session's connection to the users' database, its pending changes flushed first."""
    session = db.session()
    if session.autoflush:
        session.flush()  # returns at once when nothing is pending
    return session.connection(bind_arguments={"mapper": User})


def list_users(request: PageRequest, *, newest_first: bool = False) -> Page[UserRow]:
    """One page of users, oldest first (or newest first), and how many there are in all when
    asked.

    A keyset page (``request.after``) is read from the primary key's index: its cost does not
    grow with the table. The total is a separate count, made only when the request wants it:
    counting every row is the one part of a page that grows with the table.
    """
    statement = (NEWEST_FIRST if newest_first else LIST).limit(request.per_page + 1)
    if request.after is not None:  # one more row than shown says whether a next page exists
        after = User.id < request.after if newest_first else User.id > request.after
        statement = statement.where(after)
    else:
        statement = statement.offset(request.offset)
    rows = read(statement).all()
    total = read(COUNT).scalar_one() if request.with_total else None
    return Page.of(rows, request, total)


def get_user(user_id: int) -> UserRow:
    """:raise NotFound: no user has this id."""
    user = read(BY_ID, {"user_id": user_id}).first()
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
    connection = users_connection()
    if connection.dialect.insert_returning:
        return connection.execute(INSERT_RETURNING, values).one()
    key = connection.execute(INSERT, values).inserted_primary_key  # None only for many rows
    return connection.execute(BY_ID, {"user_id": key.id}).one()  # type: ignore[union-attr]


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
    """Insert many users (valid rows: ``email`` lowercased, ``name``) in one transaction."""
    if rows:
        with transaction() as session:
            insert_rows(session, USERS, rows)
