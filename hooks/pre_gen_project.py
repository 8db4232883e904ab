"""Check the answers before anything is written.

A bad answer prints ``ERROR: ...`` and exits 1; cookiecutter then removes the output folder.
Answers are read through ``tojson`` so that nothing typed at a prompt becomes Python source.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
import unicodedata

ANSWERS: dict[str, object] = json.loads(r"""{{ cookiecutter | tojson }}""")

# Names the baked project imports or keeps at its root: a package called one of these would
# shadow it.
RESERVED = {
    "alembic",
    "app",
    "click",
    "dotenv",
    "email_validator",
    "factory",
    "faker",
    "flask",
    "flask_migrate",
    "flask_sqlalchemy",
    "gunicorn",
    "instance",
    "jinja2",
    "manage",
    "migrations",
    "psycopg",
    "pydantic",
    "pymysql",
    "pytest",
    "scripts",
    "sqlalchemy",
    "test",
    "tests",
    "werkzeug",
    "wsgi",
}
SLUG_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+")
VERSION_PATTERN = re.compile(r"\d+(\.\d+)*([abc]|rc)?\d*")


# Answers that land in one-line places (a README title, package metadata): no line breaks, no
# control characters, which would end the line or the header they are written into.
ONE_LINE_ANSWERS = ("project_name", "description", "author_name", "author_email")
# Unicode categories of control characters, line separators and paragraph separators.
LINE_BREAKING = {"Cc", "Zl", "Zp"}


def taken(slug: str) -> bool:
    """Whether ``slug`` is a keyword or the name of a module the app imports."""
    return (
        keyword.iskeyword(slug)
        or keyword.issoftkeyword(slug)
        or slug in RESERVED
        or slug in sys.stdlib_module_names
    )


def suggest_slug(text: str) -> str:
    """A slug close to ``text`` that this hook accepts."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9_]+", "_", ascii_text.lower())
    suggestion = words.strip("_") or "my_project"
    if suggestion[0].isdigit():
        suggestion = f"app_{suggestion}"
    return f"{suggestion}_app" if taken(suggestion) else suggestion


def slug_problem(slug: str) -> str | None:
    """Say what is wrong with a project slug, or return None when it is fine."""
    suggestion = suggest_slug(slug)
    if not SLUG_PATTERN.fullmatch(slug):
        return (
            f"project_slug {slug!r} is not a lowercase Python identifier "
            f"(a letter, then letters, digits or underscores). Try {suggestion!r}."
        )
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        return f"project_slug {slug!r} is a Python keyword. Try {suggestion!r}."
    if taken(slug):
        return (
            f"project_slug {slug!r} would shadow the module of the same name that the app "
            f"imports. Try {suggestion!r}."
        )
    return None


def line_problem(name: str, value: str) -> str | None:
    """Say which answer holds a line break or control character, or return None."""
    if any(unicodedata.category(char) in LINE_BREAKING for char in value):
        return (
            f"{name} {value!r} holds a line break or control character, but it is written "
            "on a single line (package metadata, the README title). Type it on one line."
        )
    return None


def problems(answers: dict[str, object]) -> list[str]:
    """List every bad answer with what to type instead."""
    found = []
    slug_error = slug_problem(str(answers["project_slug"]))
    if slug_error:
        found.append(slug_error)
    if not str(answers["project_name"]).strip():
        found.append("project_name is empty. Type the project's name.")
    for name in ONE_LINE_ANSWERS:
        line_error = line_problem(name, str(answers[name]))
        if line_error:
            found.append(line_error)
    if not EMAIL_PATTERN.fullmatch(str(answers["author_email"])):
        found.append(
            f"author_email {answers['author_email']!r} is not an email address. "
            "Type one like 'you@example.com'."
        )
    if not VERSION_PATTERN.fullmatch(str(answers["version"])):
        found.append(
            f"version {answers['version']!r} is not a release number. Type one like '0.1.0'."
        )
    return found


def main() -> int:
    found = problems(ANSWERS)
    for message in found:
        print(f"ERROR: {message}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
