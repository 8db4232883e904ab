"""What production refuses to start with: a weak secret, debug mode, or an unplanned SQLite.

:class:`~.config.ProductionConfig` calls :func:`unsafe_settings` and turns what it finds into
one ``ConfigError``, so a bad deploy fails at start-up instead of serving requests.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.engine import make_url

MIN_SECRET_LENGTH = 32
# A random key of 32 characters or more uses far more: even 32 hex digits fall below 8 about
# once in 30 million keys. ``"a" * 32`` or a word repeated to length uses a handful.
MIN_DISTINCT_CHARACTERS = 8
PLACEHOLDER = "change-me"  # the SECRET_KEY in .env.example
KEY_RECIPE = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def secret_key_problem(secret: str) -> str | None:
    """Why ``secret`` is no key to sign sessions with, as an instruction; None when it is."""
    if not secret.strip():
        return f"SECRET_KEY is not set. Set it to a long random value, e.g. from {KEY_RECIPE}."
    if PLACEHOLDER in secret.lower():
        return f"SECRET_KEY is still the example value. Set a new one, e.g. from {KEY_RECIPE}."
    if len(secret) < MIN_SECRET_LENGTH:
        return (
            f"SECRET_KEY has {len(secret)} characters; set one of at least "
            f"{MIN_SECRET_LENGTH}, e.g. from {KEY_RECIPE}."
        )
    distinct = len(set(secret))
    if distinct < MIN_DISTINCT_CHARACTERS:
        return (
            f"SECRET_KEY uses only {distinct} different characters, so it is not random. "
            f"Set a new one, e.g. from {KEY_RECIPE}."
        )
    return None


def sqlite_problem(variable: str, url: str) -> str | None:
    if make_url(url).get_backend_name() != "sqlite":
        return None
    return (
        f"{variable} points at SQLite. Set {variable} to your database server, or set "
        "ALLOW_SQLITE_IN_PRODUCTION=1 if SQLite is really what you want."
    )


def unsafe_settings(
    secret_key: str, debug: bool, allow_sqlite: bool, database_urls: Mapping[str, str]
) -> list[str]:
    """Every reason not to serve production traffic with these settings, as instructions.

    ``database_urls`` maps each URL's variable name (``DATABASE_URL``, ...) to its value.
    """
    problems = [secret_key_problem(secret_key)]
    if debug:
        problems.append("FLASK_DEBUG is on, which exposes a debugger. Unset it or set it to 0.")
    if not allow_sqlite:
        problems += [sqlite_problem(name, url) for name, url in database_urls.items()]
    return [problem for problem in problems if problem]
