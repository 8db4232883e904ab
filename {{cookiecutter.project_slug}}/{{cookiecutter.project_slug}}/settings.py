"""How settings are read: pydantic-settings, by the variables' exact names, with one rule each.

Every settings class (the app's in :mod:`.config`, gunicorn's in :mod:`.server`) derives from
:class:`Settings`: a field is a variable of the same name, its type says how the text is read,
and its default applies when the variable is unset or empty. Values come from the process
environment, then from the project's ``.env`` (not read when ``PYTHON_DOTENV_DISABLED`` is on);
the environment wins. Given a mapping instead, a class reads that mapping alone (the tests do).

The rules, the same for every variable:

- yes/no (:data:`Flag`): ``1``, ``true``, ``yes``, ``on`` (also ``t``, ``y``) are yes; ``0``,
  ``false``, ``no``, ``off`` (also ``f``, ``n``) are no, in any case; anything else is refused.
- numbers (:data:`Count`, :data:`Positive`): whole numbers, at least 0 or 1.
- choices (:func:`choice`): one of a list, in any case.

A value that breaks its rule stops the start with one :class:`ConfigError` naming each variable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Any

from dotenv import dotenv_values
from pydantic import BaseModel, BeforeValidator, Field, ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_FILE = PROJECT_ROOT / ".env"
TRUE_WORDS = ("1", "true", "t", "yes", "y", "on")  # pydantic's own reading of a bool


class ConfigError(ValueError):
    """A setting is missing or malformed; the message says which and what to set."""


def stripped(raw: Any) -> Any:
    """Text without the spaces around it, as numbers are read (and as ``flask`` reads flags)."""
    return raw.strip() if isinstance(raw, str) else raw


Flag = Annotated[bool, BeforeValidator(stripped)]  # pydantic reads the words above


Count = Annotated[int, Field(ge=0)]  # a whole number: 0 or more
Positive = Annotated[int, Field(ge=1)]  # a whole number: 1 or more


def choice(*choices: str) -> Callable[[Any], Any]:
    """A validator taking one of ``choices`` in any case, and giving it as it is spelled here."""

    def pick(raw: Any) -> Any:
        if not isinstance(raw, str):
            return raw
        for option in choices:
            if raw.strip().lower() == option.lower():
                return option
        raise ValueError(f"is not one of: {', '.join(choices)}.")

    return pick


def parse_networks(raw: Any) -> Any:
    """Addresses or ranges (CIDR) separated by commas."""
    if not isinstance(raw, str):
        return raw
    try:
        parts = [part.strip() for part in raw.split(",") if part.strip()]
        return tuple(ip_network(part, strict=False) for part in parts)
    except ValueError as error:
        raise ValueError(
            f"is not a list of addresses or ranges such as '127.0.0.0/8, 10.0.0.0/8': {error}."
        ) from None


Networks = Annotated[tuple[IPv4Network | IPv6Network, ...], BeforeValidator(parse_networks)]


def dotenv_file() -> Path | None:
    """The ``.env`` to read, unless ``PYTHON_DOTENV_DISABLED`` says not to (as python-dotenv)."""
    disabled = os.environ.get("PYTHON_DOTENV_DISABLED", "").strip().lower() in TRUE_WORDS
    return None if disabled else ENV_FILE


def every_variable(env: Mapping[str, str] | None) -> Mapping[str, str]:
    """``env``, or the process environment over ``.env``: for variables named at run time."""
    if env is not None:
        return env
    path = dotenv_file()
    from_file = dotenv_values(path) if path and path.is_file() else {}
    return {**{k: v for k, v in from_file.items() if v is not None}, **os.environ}


class Settings(BaseSettings):
    """Variables by their exact names; empty counts as unset; text is read as the types say."""

    model_config = SettingsConfigDict(
        case_sensitive=True, extra="ignore", env_ignore_empty=True, enable_decoding=False
    )

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        """Read the process environment and ``.env``, or ``env`` alone when it is given.

        :raise ConfigError: a variable breaks its rule; the message names every one that does.
        """
        try:
            if env is None:
                super().__init__(_env_file=dotenv_file())
            else:  # the same validation, without the environment's sources
                BaseModel.__init__(self, **{k: v for k, v in env.items() if v != ""})
        except ValidationError as error:
            raise ConfigError(" ".join(map(describe, error.errors()))) from None


def describe(error: ErrorDetails) -> str:
    """One sentence naming the variable, its value, and what it should be."""
    name, value = error["loc"][0], error["input"]
    context = error.get("ctx", {})
    if error["type"] == "int_parsing":
        return f"{name} must be a whole number, got {value!r}."
    if error["type"] == "greater_than_equal":
        return f"{name} must be at least {context['ge']}, got {value}."
    if error["type"] == "bool_parsing":
        return f"{name}={value!r} is not yes or no: set 1, true, yes, on or 0, false, no, off."
    if error["type"] == "value_error":
        return f"{name}={value!r} {context['error']}"
    return f"{name}={value!r}: {error['msg']}."
