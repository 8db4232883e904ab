"""Finish the baked project: prune files of options not chosen, write ``.env``.

Runs inside the new project folder. No network access.
"""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path

ANSWERS: dict[str, object] = json.loads(r"""{{ cookiecutter | tojson }}""")

SECRET_PLACEHOLDER = "SECRET_KEY=change-me"

# Files that belong to one answer of an option: removed when another answer was chosen.
# Keys are (option, answer that keeps them); paths are relative to the project folder.
OPTION_FILES: dict[tuple[str, str], list[str]] = {}


def prune(project: Path, answers: dict[str, object]) -> None:
    """Delete the files of every option answer that was not chosen."""
    for (option, keep_for), paths in OPTION_FILES.items():
        if answers[option] == keep_for:
            continue
        for relative in paths:
            target = project / relative
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()


def write_env_file(project: Path) -> None:
    """Copy ``.env.example`` to ``.env`` with a new random ``SECRET_KEY`` (48 bytes)."""
    example = (project / ".env.example").read_text(encoding="utf-8")
    if SECRET_PLACEHOLDER not in example:
        raise SystemExit("ERROR: .env.example has no SECRET_KEY line to fill in.")
    secret = secrets.token_urlsafe(48)
    env = example.replace(SECRET_PLACEHOLDER, f"SECRET_KEY={secret}", 1)
    target = project / ".env"
    target.write_text(env, encoding="utf-8")
    target.chmod(0o600)


def main() -> None:
    project = Path.cwd()
    prune(project, ANSWERS)
    write_env_file(project)


if __name__ == "__main__":
    main()
