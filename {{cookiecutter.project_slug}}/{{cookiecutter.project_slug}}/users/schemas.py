"""What the users API accepts and what it answers with."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

from .models import EMAIL_LENGTH, NAME_LENGTH


def without_nul(text: str) -> str:
    """Refuse the NUL character, which PostgreSQL cannot store in a text column."""
    if "\x00" in text:
        raise ValueError("must not contain the NUL character (\\u0000)")
    return text


Email = Annotated[EmailStr, StringConstraints(max_length=EMAIL_LENGTH)]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_LENGTH),
    AfterValidator(without_nul),
]


# ``defer_build``: each schema is built at its first validation, not when the app starts
# (every command pays for start-up; building these imports the email validator, say).
STRICT = ConfigDict(extra="forbid", strict=True, defer_build=True)


class UserCreate(BaseModel):
    """Body of ``POST /api/users``; unknown fields are refused."""

    model_config = STRICT

    email: Email
    name: Name


class UserUpdate(BaseModel):
    """Body of ``PATCH /api/users/<id>``: any of the fields, at least one."""

    model_config = STRICT

    email: Email | None = Field(default=None)
    name: Name | None = Field(default=None)

    @model_validator(mode="after")
    def _not_empty(self) -> UserUpdate:
        if not self.model_fields_set:
            raise ValueError("Give at least one of: email, name.")
        for field in self.model_fields_set:
            if getattr(self, field) is None:
                raise ValueError(f"'{field}' cannot be null.")
        return self


def normalise_email(email: str) -> str:
    """Emails are unique regardless of case."""
    return email.lower()


def as_utc(moment: datetime) -> datetime:
    """Databases without time zone support hand back naive UTC times."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def user_json(row: Any) -> dict[str, Any]:
    """A user (model or row with the same attributes) as the API shows it."""
    return {
        "id": row.id,
        "email": row.email,
        "name": row.name,
        "created_at": as_utc(row.created_at).isoformat(),
    }
