"""The ``User`` model."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Row, String, func
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Model

EMAIL_LENGTH = 254
NAME_LENGTH = 100
# MySQL/MariaDB compare text ignoring accents and case by default, which would make
# anna@münchen.de and anna@munchen.de one user. Emails are compared byte for byte there, as on
# PostgreSQL and SQLite; the app lowercases them itself (see ``normalise_email``).
EMAIL_TYPE = String(EMAIL_LENGTH).with_variant(
    String(EMAIL_LENGTH, collation="utf8mb4_bin"), "mysql", "mariadb"
)


class User(Model):
    __tablename__ = "users"
    # No id is handed out twice, even the last one after a delete: SQLite would reuse it.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012
    # Fetch server-generated values (created_at) in the INSERT itself, not in a second query.
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(EMAIL_TYPE, unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r}>"


# What the users API reads and writes: a user's columns, in this order, as a row.
COLUMNS = (User.id, User.email, User.name, User.created_at)
UserRow = Row[int, str, str, datetime]
