"""What both floors read from a request and send back: the same for the raw driver and Core.

Served beside each floor's ``wsgi.py`` (the benchmark copies it into both folders).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any


def page_args(args: Mapping[str, str]) -> tuple[int, int]:
    """``page`` and ``per_page`` (at most 100) from the query string."""
    return int(args.get("page", 1)), min(int(args.get("per_page", 20)), 100)


def as_utc(moment: datetime | str) -> str:
    if isinstance(moment, str):  # SQLite keeps CURRENT_TIMESTAMP as text, in UTC
        moment = datetime.fromisoformat(moment)
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).isoformat()


def user_json(row: Sequence[Any]) -> dict[str, Any]:
    user_id, email, name, created_at = row
    return {"id": user_id, "email": email, "name": name, "created_at": as_utc(created_at)}


def page_json(
    rows: Sequence[Sequence[Any]], page: int, per_page: int, total: int
) -> dict[str, Any]:
    items = [user_json(row) for row in rows]
    return {"items": items, "page": page, "per_page": per_page, "total": total}
