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


def _whole_number(args: Mapping[str, str], name: str, default: int, maximum: int) -> int:
    """``name``'s value, read as a number: leading zeros are fine, 0 or a non-number is a 400.

    Any value above ``maximum`` reads as ``maximum + 1``: past it the exact value no longer
    matters, and thousands of digits are never converted.
    """
    raw = args.get(name)
    if raw is None:
        return default
    digits = raw.lstrip("0")
    if not raw.isascii() or not raw.isdigit() or not digits:
        raise APIError(f"'{name}' must be a whole number of at least 1.")
    return int(digits) if len(digits) <= len(str(maximum)) else maximum + 1


def page_request(args: Mapping[str, str]) -> PageRequest:
    """Read ``page`` and ``per_page``; ``per_page`` above the maximum is capped.

    :raise APIError: a value is not a positive whole number, or ``page`` is past ``MAX_PAGE``
        (400).
    """
    page = _whole_number(args, "page", 1, MAX_PAGE)
    if page > MAX_PAGE:
        raise APIError(f"'page' must be a whole number from 1 to {MAX_PAGE}.")
    per_page = min(_whole_number(args, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE), MAX_PER_PAGE)
    return PageRequest(page, per_page)


def envelope(items: Sequence[Any], request: PageRequest, total: int) -> dict[str, Any]:
    """The body of a collection response."""
    return {"items": items, "page": request.page, "per_page": request.per_page, "total": total}
