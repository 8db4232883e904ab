"""Page parameters for collection endpoints, the cursors of keyset pages, and the envelope.

Two ways through a collection, both ordered by id:

- ``?page=N`` (offset pages): the database skips ``(N - 1) * per_page`` rows, so a deep page
  costs more than the first. These pages count the total (``?total=false`` skips the count).
- ``?after=<cursor>`` (keyset pages): the page starts after the row the cursor names, read
  straight from the primary key's index, so every page costs the same however deep it is and
  however large the table. These pages count no total unless asked (``?total=true``).

Every page links to the rows that follow it with ``next`` (a keyset cursor), or ``null`` on
the last page. A cursor is opaque to clients: they follow ``next``, never build one.

:class:`PageQuery` and :class:`PageJSON` describe the parameters and the envelope for the
API's document (``openapi/``); :func:`page_request` and :func:`envelope` are what the views call.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, NotRequired, TypeVar, cast

from flask import request, url_for
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema
from typing_extensions import TypedDict

from .errors import APIError
from .inputs import MAX_ID

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
# Offsets past this are refused rather than sent to the database (they overflow its integers).
MAX_PAGE = 1_000_000
CURSOR_PREFIX = "id:"
# A cursor is "id:<digits>" in URL-safe base64 without padding, and the pattern says exactly
# that, so it is what the document states and what the app checks: "aWQ6" is "id:", then up
# to five groups of base64 that each decode to up to three ASCII digits (15 digits at most).
_DIGITS_3 = "(?:[MN][DTjz]|O[DT])[AEIMQUYcgk][w-z0-5]"
_DIGITS_2 = "(?:[MN][DTjz]|O[DT])[AEIMQUYcgk]"
_DIGITS_1 = "(?:[MN][AQgw]|O[AQ])"
CURSOR_PATTERN = f"^aWQ6(?:{_DIGITS_3})" + "{0,4}" + f"(?:{_DIGITS_3}|{_DIGITS_2}|{_DIGITS_1})$"
CURSOR = re.compile(CURSOR_PATTERN)
Row = TypeVar("Row")
Item = TypeVar("Item")


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
    """The id a cursor names; ids past any row's read as the largest (an empty page follows).

    :raise APIError: the cursor does not have the form of one this API hands out (400).
    """
    if not CURSOR.fullmatch(cursor):
        raise APIError("'after' is not a valid cursor. Follow the 'next' link of a page.")
    decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    return min(int(decoded.removeprefix(CURSOR_PREFIX)), MAX_ID)


def page_request(args: Mapping[str, str]) -> PageRequest:
    """Read ``page`` or ``after`` (which wins: ``page`` is then ignored), ``per_page`` (capped at
    the maximum) and ``total``.

    :raise APIError: a value is not a positive whole number, ``page`` is past ``MAX_PAGE``,
        ``after`` is not a cursor this API made, or ``total`` is not true/false (400).
    """
    per_page = min(_whole_number(args, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE), MAX_PER_PAGE)
    page = _whole_number(args, "page", 1, MAX_PAGE)  # checked even where 'after' wins
    if page > MAX_PAGE:
        raise APIError(f"'page' must be a whole number from 1 to {MAX_PAGE}.")
    cursor = args.get("after")
    if cursor is not None:
        after = decode_cursor(cursor)
        return PageRequest(per_page, after=after, with_total=_flag(args, "total", False))
    return PageRequest(per_page, page=page, with_total=_flag(args, "total", True))


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` items fill; an empty collection still has its (empty) page 1."""
    return max(1, -(-total // per_page))


def envelope(items: list[Item], wanted: PageRequest, page: Page[Any]) -> PageJSON[Item]:
    """The body of a collection response: ``page`` on offset pages, ``total`` when counted."""
    body: dict[str, Any] = {"items": items}
    if wanted.after is None:
        body["page"] = wanted.page
    body["per_page"] = wanted.per_page
    if page.total is not None:
        body["total"] = page.total
    body["next"] = None if page.next_after is None else next_link(wanted, page.next_after)
    return cast("PageJSON[Item]", body)


def next_link(wanted: PageRequest, after: int) -> str:
    """The current endpoint's URL for the keyset page after id ``after``."""
    endpoint = request.endpoint or ""
    return url_for(endpoint, after=encode_cursor(after), per_page=wanted.per_page)


Cursor = Annotated[str, StringConstraints(pattern=CURSOR_PATTERN)]


class PageQuery(BaseModel):
    """The query parameters :func:`page_request` reads, as the API's document states them."""

    model_config = ConfigDict(title="Page parameters")

    page: int = Field(
        default=1, ge=1, le=MAX_PAGE, description="The page by offset; ignored with 'after'."
    )
    per_page: int = Field(
        default=DEFAULT_PER_PAGE,
        ge=1,
        description=f"Items per page; any larger value than {MAX_PER_PAGE} reads as "
        f"{MAX_PER_PAGE}.",
    )
    after: Cursor | SkipJsonSchema[None] = Field(
        default=None,
        description="The cursor of a 'next' link: the keyset page that starts after it.",
    )
    total: bool | SkipJsonSchema[None] = Field(
        default=None,
        description="Count the items in all: by default on offset pages, not on keyset pages.",
    )


class PageJSON(TypedDict, Generic[Item]):
    """A page of a collection."""

    items: list[Item]
    page: NotRequired[int]  # offset pages only
    per_page: int
    total: NotRequired[int]  # when counted
    next: str | None  # the link to the keyset page that follows, or null on the last page
