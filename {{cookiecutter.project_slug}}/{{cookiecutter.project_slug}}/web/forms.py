"""The add-user form: what was typed, and the messages to show beside each field.

The rules are the API's own: ``UserCreate`` validates, and its errors become field messages.
The CSRF token is Flask-WTF's (``csrf.py``), checked before the view runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from ..inputs import field_errors
from ..users.schemas import UserCreate

FIELDS = ("email", "name")
WHOLE_FORM = "form"  # where an error that names no field is shown


@dataclass
class UserForm:
    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(FIELDS, ""))
    errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def posted(cls, form: Mapping[str, str]) -> UserForm:
        """The values as typed; a field the post left out is empty."""
        return cls({name: form.get(name, "") for name in FIELDS})

    def validated(self) -> UserCreate | None:
        """The values as the schema reads them, or None with ``errors`` filled in."""
        try:
            return UserCreate.model_validate(self.values)
        except ValidationError as error:
            for item in field_errors(error):
                self.errors.setdefault(item["field"] or WHOLE_FORM, []).append(item["message"])
            return None

    def refuse(self, name: str, message: str) -> None:
        """Show ``message`` beside the field ``name``."""
        self.errors.setdefault(name, []).append(message)
