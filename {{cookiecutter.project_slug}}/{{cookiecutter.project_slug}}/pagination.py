"""Page parameters for collection endpoints, and the envelope they answer with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import APIError

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
# Offsets past this are refused rather than sent to the database (they overflow its integers).
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class PageRequest:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _positive_int(args: Mapping[str, str], name: str, default: int, maximum: int) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        raise APIError(f"'{name}' must be a whole number from 1 to {maximum}.")
    return int(raw)


def page_request(args: Mapping[str, str]) -> PageRequest:
    """Read ``page`` and ``per_page``; ``per_page`` above the maximum is capped.

    :raise APIError: a value is not a positive whole number (400).
    """
    page = _positive_int(args, "page", 1, MAX_PAGE)
    if page > MAX_PAGE:
        raise APIError(f"'page' must be a whole number from 1 to {MAX_PAGE}.")
    per_page = min(_positive_int(args, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE), MAX_PER_PAGE)
    return PageRequest(page, per_page)


def envelope(items: Sequence[Any], request: PageRequest, total: int) -> dict[str, Any]:
    """The body of a collection response."""
    return {"items": items, "page": request.page, "per_page": request.per_page, "total": total}
