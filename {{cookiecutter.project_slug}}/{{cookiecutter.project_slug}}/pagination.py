"""Page parameters for collection endpoints, the cursors of keyset pages, and the envelope.

Two ways through a collection, both ordered by id:

- ``?page=N`` (offset pages): the database skips ``(N - 1) * per_page`` rows, so a deep page
  costs more than the first. These pages count the total (``?total=false`` skips the count).
- ``?after=<cursor>`` (keyset pages): the page starts after the row the cursor names, read
  straight from the primary key's index, so every page costs the same however deep it is and
  however large the table. These pages count no total unless asked (``?total=true``).

Every page links to the rows that follow it with ``next`` (a keyset cursor), or ``null`` on
the last page. A cursor is opaque to clients: they follow ``next``, never build one.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import request, url_for

from .errors import APIError
from .inputs import MAX_ID

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
# Offsets past this are refused rather than sent to the database (they overflow its integers).
MAX_PAGE = 1_000_000
CURSOR_PREFIX = "id:"
MAX_CURSOR_LENGTH = 24
Row = TypeVar("Row")


@dataclass(frozen=True)
class PageRequest:
    per_page: int
    page: int = 1
    after: int | None = None  # keyset pages: the id the page starts after
    with_total: bool = True

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Page(Generic[Row]):
    """The rows of one page, how many there are in all (None: not counted), and the id the
    next page starts after (None: this is the last page)."""

    rows: Sequence[Row]
    total: int | None
    next_after: int | None

    @classmethod
    def of(cls, rows: Sequence[Any], wanted: PageRequest, total: int | None) -> Page[Any]:
        """A page from ``per_page + 1`` rows read: an extra row means another page follows."""
        if len(rows) <= wanted.per_page:
            return cls(rows, total, None)
        shown = rows[: wanted.per_page]
        return cls(shown, total, shown[-1].id)


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


def _flag(args: Mapping[str, str], name: str, default: bool) -> bool:
    raw = args.get(name)
    if raw is None:
        return default
    if raw not in ("true", "false"):
        raise APIError(f"'{name}' must be true or false.")
    return raw == "true"


def encode_cursor(after: int) -> str:
    """The opaque cursor of the page that starts after id ``after``."""
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{after}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The id a cursor names.

    :raise APIError: the cursor is not one this API handed out (400).
    """
    invalid = APIError("'after' is not a valid cursor. Follow the 'next' link of a page.")
    if len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
        raise invalid
    try:  # binascii.Error and UnicodeDecodeError are both ValueErrors
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except ValueError:
        raise invalid from None
    digits = decoded.removeprefix(CURSOR_PREFIX)
    if digits == decoded or not digits.isdigit() or len(digits) > len(str(MAX_ID)):
        raise invalid
    after = int(digits)
    # Only the exact text encode_cursor() makes is a cursor: no leading zeros, no padding.
    if after > MAX_ID or encode_cursor(after) != cursor:
        raise invalid
    return after


def page_request(args: Mapping[str, str]) -> PageRequest:
    """Read ``page`` or ``after``, ``per_page`` (capped at the maximum) and ``total``.

    :raise APIError: a value is not a positive whole number, ``page`` is past ``MAX_PAGE``,
        ``after`` is not a cursor this API made, ``total`` is not true/false, or both ``page``
        and ``after`` are given (400).
    """
    per_page = min(_whole_number(args, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE), MAX_PER_PAGE)
    cursor = args.get("after")
    if cursor is not None:
        if "page" in args:
            raise APIError("Give either 'page' or 'after', not both.")
        after = decode_cursor(cursor)
        return PageRequest(per_page, after=after, with_total=_flag(args, "total", False))
    page = _whole_number(args, "page", 1, MAX_PAGE)
    if page > MAX_PAGE:
        raise APIError(f"'page' must be a whole number from 1 to {MAX_PAGE}.")
    return PageRequest(per_page, page=page, with_total=_flag(args, "total", True))


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` items fill; an empty collection still has its (empty) page 1."""
    return max(1, -(-total // per_page))


def envelope(items: Sequence[Any], wanted: PageRequest, page: Page[Any]) -> dict[str, Any]:
    """The body of a collection response: ``page`` on offset pages, ``total`` when counted."""
    body: dict[str, Any] = {"items": items}
    if wanted.after is None:
        body["page"] = wanted.page
    body["per_page"] = wanted.per_page
    if page.total is not None:
        body["total"] = page.total
    body["next"] = None if page.next_after is None else next_link(wanted, page.next_after)
    return body


def next_link(wanted: PageRequest, after: int) -> str:
    """The current endpoint's URL for the keyset page after id ``after``."""
    endpoint = request.endpoint or ""
    return url_for(endpoint, after=encode_cursor(after), per_page=wanted.per_page)
