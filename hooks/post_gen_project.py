"""Finish the baked project: write its private ``.env`` with a fresh secret key.

Runs inside the new project folder. No network access.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

ANSWERS: dict[str, object] = json.loads(r"""{{ cookiecutter | tojson }}""")

SECRET_PLACEHOLDER = "SECRET_KEY=change-me"


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
    write_env_file(Path.cwd())


if __name__ == "__main__":
    main()
