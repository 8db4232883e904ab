"""Check the answers before anything is written.

A bad answer prints ``ERROR: ...`` and exits 1; cookiecutter then removes the output folder.
Answers are read through ``tojson`` so that nothing typed at a prompt becomes Python source.
"""

from __future__ import annotations

import json
import keyword
import re
import sys

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


def slug_problem(slug: str) -> str | None:
    """Say what is wrong with a project slug, or return None when it is fine."""
    suggestion = re.sub(r"[^a-z0-9_]+", "_", slug.lower()).strip("_") or "my_project"
    if suggestion[0].isdigit():
        suggestion = f"app_{suggestion}"
    if not SLUG_PATTERN.fullmatch(slug):
        return (
            f"project_slug {slug!r} is not a lowercase Python identifier "
            f"(a letter, then letters, digits or underscores). Try {suggestion!r}."
        )
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        return f"project_slug {slug!r} is a Python keyword. Try {slug + '_app'!r}."
    if slug in RESERVED or slug in sys.stdlib_module_names:
        return (
            f"project_slug {slug!r} would shadow the module of the same name that the app "
            f"imports. Try {slug + '_app'!r}."
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
