"""What the users API accepts and what it answers with.

Every rule a field has is one the API's document can state (``openapi/``): a length and a
pattern that the app checks as written, so a client validating against the document and the
app never disagree about a value.
"""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from typing_extensions import TypedDict

from ..inputs import matching
from ..jobs.models import JobState
from ..times import as_utc
from .models import EMAIL_LENGTH, NAME_LENGTH, UserRow

# Letters beyond ASCII that emails may hold: Latin-1 and Latin Extended-A/B, without the
# multiplication and division signs.
LATIN = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
ATOM = "[A-Za-z0-9" + LATIN + "!#$%&'*+/=?^_`{|}~-]+"
LABEL = "[A-Za-z0-9" + LATIN + "]+(?:-[A-Za-z0-9" + LATIN + "]+)*"
# An address: dot-separated atoms, @, then dot-separated labels (letters, digits, single
# hyphens inside) ending in a top-level domain of two or more letters. No quoted local parts,
# no IP literals.
EMAIL_PATTERN = "^" + ATOM + "(?:\\." + ATOM + ")*@(?:" + LABEL + "\\.)+[A-Za-z]{2,}$"
# What str.strip() removes: the characters str.isspace() calls whitespace.
WHITESPACE = (
    "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
# At least one character that is not whitespace, and no NUL anywhere: PostgreSQL cannot store
# NUL in a text column, so no database gets one.
NAME_PATTERN = f"^[^\\x00]*[^\\x00{WHITESPACE}][^\\x00]*$"


def stripped(text: str) -> str:
    """A name is kept without the whitespace around it."""
    return text.strip()


Email = Annotated[
    str,
    StringConstraints(max_length=EMAIL_LENGTH),
    Field(json_schema_extra={"pattern": EMAIL_PATTERN}),
    matching(EMAIL_PATTERN, "must be an email address such as ada@example.com"),
]
Name = Annotated[
    str,
    StringConstraints(max_length=NAME_LENGTH),
    Field(json_schema_extra={"pattern": NAME_PATTERN}),
    matching(NAME_PATTERN, "must have a character that is not whitespace, and no NUL (\\u0000)"),
    AfterValidator(stripped),
]
NAME_DESCRIPTION = (
    f"Up to {NAME_LENGTH} characters as sent, at least one of them not whitespace, and no "
    "NUL; kept without the whitespace around it."
)
EMAIL_DESCRIPTION = "Unique regardless of case; kept in lower case."


# ``defer_build``: each schema is built at its first validation, not when the app starts
# (every command pays for start-up; building these imports the email validator, say).
STRICT = ConfigDict(extra="forbid", strict=True, defer_build=True)


class UserCreate(BaseModel):
    """Body of ``POST /api/users``; unknown fields are refused."""

    model_config = STRICT

    email: Email = Field(description=EMAIL_DESCRIPTION)
    name: Name = Field(description=NAME_DESCRIPTION)


def _update_schema(schema: dict[str, Any]) -> None:
    """At least one field, and no default: a field left out is left as it is."""
    schema["minProperties"] = 1
    for field in schema["properties"].values():
        field.pop("default", None)


# The fields of an update are their create's types, with no default a client could send: one
# left out is not in ``model_fields_set`` (and so not changed), and a null is invalid like any
# other non-string, with one error naming the field.
UNSET: Any = None


class UserUpdate(BaseModel):
    """Body of ``PATCH /api/users/<id>``: any of the fields, at least one; none may be null."""

    model_config = ConfigDict(**STRICT, json_schema_extra=_update_schema)

    email: Email = Field(default=UNSET, description=EMAIL_DESCRIPTION)
    name: Name = Field(default=UNSET, description=NAME_DESCRIPTION)

    @model_validator(mode="after")
    def _not_empty(self) -> UserUpdate:
        if not self.model_fields_set:
            raise ValueError("Give at least one of: email, name.")
        return self


class UserJSON(TypedDict):
    """A user as the API shows it."""

    id: int
    email: str
    name: str
    created_at: Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


class ImportJSON(TypedDict):
    """An import as the API shows it: ``created`` and ``skipped`` are null until it is done."""

    id: int
    state: JobState
    created: int | None  # how many users it created
    skipped: list[str] | None  # the emails it skipped, already taken
    error: NotRequired[str]  # why it failed, when it did


class ImportRow(BaseModel):
    model_config = STRICT

    email: Email
    name: Name


IMPORT_ROWS = 1000  # at most, per import


class ImportRequest(BaseModel):
    """Body of ``POST /api/users/imports``: the users to create (a taken email is skipped)."""

    model_config = STRICT

    rows: list[ImportRow] = Field(min_length=1, max_length=IMPORT_ROWS)


def normalise_email(email: str) -> str:
    """Emails are unique regardless of case: each letter in lower case, where that is one letter.

    A few letters lower to two (``İ`` to ``i`` and a combining dot): kept as they are, so an
    email the schema allows (at most 254 characters) still fits its column.
    """
    if email.isascii():  # nearly every email: each letter lowers to one
        return email.lower()
    return "".join(lower if len(lower := letter.lower()) == 1 else letter for letter in email)


def user_json(row: UserRow) -> UserJSON:
    """A user's row as the API shows it: the four ``models.COLUMNS``, in that order (not a
    ``User``: select those columns)."""
    user_id, email, name, created_at = row  # by position: a tenth of the cost of by name
    return {
        "id": user_id,
        "email": email,
        "name": name,
        "created_at": as_utc(created_at).isoformat(),
    }
