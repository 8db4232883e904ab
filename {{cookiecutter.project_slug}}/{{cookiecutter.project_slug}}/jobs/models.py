"""The ``Job`` model: each job's state, and the outbox its queue is fed from."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Model

NAME_LENGTH = 100
STATE_LENGTH = 16


def key_type(length: int) -> String:
    """A string compared byte for byte on MySQL/MariaDB too, as on PostgreSQL and SQLite."""
    return String(length).with_variant(String(length, collation="utf8mb4_bin"), "mysql", "mariadb")


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def utc_now() -> datetime:
    return datetime.now(UTC)


class Job(Model):
    """One job: what to run (``name``, ``payload``), where it is, and what it gave.

    ``queued_at`` is when the row last went to the queue (the worker side re-sends rows that
    stay queued); ``lease_until`` is how long a worker that claimed it may hold it.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_state_queued_at", "state", "queued_at"),
        {"sqlite_autoincrement": True},  # no id handed out twice (see users/models.py)
    )
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(key_type(NAME_LENGTH))
    state: Mapped[str] = mapped_column(key_type(STATE_LENGTH), default=JobState.QUEUED.value)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.name} {self.state}>"
