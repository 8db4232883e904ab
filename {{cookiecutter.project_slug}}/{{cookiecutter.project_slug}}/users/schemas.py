"""What the users API accepts and what it answers with."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator

from ..inputs import WithoutNul
from ..times import as_utc
from .models import EMAIL_LENGTH, NAME_LENGTH

Email = Annotated[EmailStr, StringConstraints(max_length=EMAIL_LENGTH)]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_LENGTH),
    WithoutNul,
]


class UserCreate(BaseModel):
    """Body of ``POST /api/users``; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", strict=True)

    email: Email
    name: Name


class UserUpdate(BaseModel):
    """Body of ``PATCH /api/users/<id>``: any of the fields, at least one."""

    model_config = ConfigDict(extra="forbid", strict=True)

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


def user_json(row: Any) -> dict[str, Any]:
    """A user (model or row with the same attributes) as the API shows it."""
    return {
        "id": row.id,
        "email": row.email,
        "name": row.name,
        "created_at": as_utc(row.created_at).isoformat(),
    }
