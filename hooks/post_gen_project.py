"""Finish the baked project: prune files of options not chosen, write ``.env`` and answers.

Runs inside the new project folder. No network access.
"""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path

ANSWERS: dict[str, object] = json.loads(r"""{{ cookiecutter | tojson }}""")

SECRET_PLACEHOLDER = "SECRET_KEY=change-me"  # noqa: S105 - the line to replace, not a secret
# A replay file: ``cookiecutter --replay-file .cookiecutter.json <template>`` re-bakes.
ANSWERS_FILE = ".cookiecutter.json"

# One compose file per database; the one kept is renamed to compose.yaml.
COMPOSE_FILES = {db: f"compose.{db}.yaml" for db in ("sqlite", "postgresql", "mysql")}

PACKAGE = str(ANSWERS["project_slug"])
JOBS = f"{PACKAGE}/jobs"
# Files that belong to one answer of an option: removed when another answer was chosen.
# Keys are (option, answer that keeps them); paths are relative to the project folder.
OPTION_FILES: dict[tuple[str, str], list[str]] = {
    ("ci", "github"): [".github/workflows/ci.yml"],
    ("use_docker", "yes"): [
        "Dockerfile",
        ".dockerignore",
        "monitoring",
        *COMPOSE_FILES.values(),
    ],
    **{("database", db): [path] for db, path in COMPOSE_FILES.items()},
    ("job_queue", "none"): [f"{JOBS}/inline_queue.py"],
    ("job_queue", "celery"): [
        f"{JOBS}/celery_queue.py",
        "celery_worker.py",
    ],
    ("job_queue", "rq"): [f"{JOBS}/rq_queue.py", "rq_worker.py"],
}
# Files that belong to every answer of an option but one: removed when that one was chosen.
ABSENT_FILES: dict[tuple[str, str], list[str]] = {
    # What a real queue needs, whichever it is: the outbox, the worker side, its tests.
    ("job_queue", "none"): [
        f"{JOBS}/outbox.py",
        f"{JOBS}/runner.py",
        f"{JOBS}/broker.py",
        f"{JOBS}/resend.py",
        f"{JOBS}/cli.py",
        f"{JOBS}/signals.py",
        f"{PACKAGE}/metrics/jobs.py",
        "tests/jobs",
    ],
}
# Files that survive pruning under an answer's name, and the name they end up with.
RENAMES = {path: "compose.yaml" for path in COMPOSE_FILES.values()}


def prune(project: Path, answers: dict[str, object]) -> None:
    """Delete the files of every option answer that was not chosen."""
    for (option, keep_for), paths in OPTION_FILES.items():
        if answers[option] != keep_for:
            remove(project, paths)
    for (option, absent_for), paths in ABSENT_FILES.items():
        if answers[option] == absent_for:
            remove(project, paths)


def remove(project: Path, paths: list[str]) -> None:
    """Delete files and folders of the project, and the folders they leave empty."""
    for relative in paths:
        target = project / relative
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
            remove_empty_folders(target.parent, project)


def rename(project: Path) -> None:
    """Give each answer-specific file that survived pruning its usual name."""
    for source, target in RENAMES.items():
        if (project / source).exists():
            (project / source).replace(project / target)


def remove_empty_folders(folder: Path, project: Path) -> None:
    """Remove ``folder`` and then its parents, up to ``project``, while they are empty."""
    while folder != project and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def write_env_file(project: Path) -> None:
    """Copy ``.env.example`` to ``.env`` with a new random ``SECRET_KEY`` (48 bytes).

    An existing ``.env`` is kept: re-baking over a project to update it keeps its settings.
    """
    if (project / ".env").exists():
        return
    example = (project / ".env.example").read_text(encoding="utf-8")
    if SECRET_PLACEHOLDER not in example:
        raise SystemExit("ERROR: .env.example has no SECRET_KEY line to fill in.")
    secret = secrets.token_urlsafe(48)
    env = example.replace(SECRET_PLACEHOLDER, f"SECRET_KEY={secret}", 1)
    target = project / ".env"
    target.write_text(env, encoding="utf-8")
    target.chmod(0o600)


def kept_answers(answers: dict[str, object]) -> dict[str, object]:
    """The answers to replay: every public one, and where the template came from.

    Other private keys (the output folder, the template's own settings) are left out: they
    belong to one machine, or the template supplies them again when it is re-baked.
    """
    return {
        key: value
        for key, value in answers.items()
        if not key.startswith("_") or key == "_template"
    }


def write_answers(project: Path, answers: dict[str, object]) -> None:
    """Store the answers in ``.cookiecutter.json``, shaped as a cookiecutter replay file."""
    replay = {"cookiecutter": kept_answers(answers)}
    text = json.dumps(replay, indent=2, ensure_ascii=False)
    (project / ANSWERS_FILE).write_text(text + "\n", encoding="utf-8")


def main() -> None:
    project = Path.cwd()
    prune(project, ANSWERS)
    rename(project)
    write_env_file(project)
    write_answers(project, ANSWERS)


if __name__ == "__main__":
    main()
