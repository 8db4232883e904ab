"""Bake as a person does: run the ``cookiecutter`` command and type the answers at its prompts.

Answers typed at a prompt reach the template as typed; values passed as ``key=value`` are
rendered as Jinja by cookiecutter first. The hostile-answer tests need the former.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .baking import TEMPLATE


def questions() -> dict[str, object]:
    """The options cookiecutter prompts for, in order, with their defaults or choices."""
    options = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    return {key: value for key, value in options.items() if not key.startswith("_")}


def typed_lines(answers: dict[str, str]) -> str:
    """What to type: each answer on its own line, a choice by its number, Enter for a default."""
    unknown = set(answers) - set(questions())
    assert not unknown, f"not options of the template: {unknown}"
    lines = []
    for key, default in questions().items():
        if key not in answers:
            lines.append("")
        elif isinstance(default, list):
            lines.append(str(default.index(answers[key]) + 1))
        else:
            lines.append(answers[key])
    return "\n".join(lines) + "\n"


def bake_typed(output_dir: Path, **answers: str) -> subprocess.CompletedProcess[str]:
    """Run ``cookiecutter`` on the template, typing ``answers`` at its prompts."""
    command = [str(Path(sys.executable).with_name("cookiecutter")), "-o", str(output_dir)]
    return run_with_input([*command, str(TEMPLATE)], output_dir, typed_lines(answers))


def run_with_input(command: list[str], cwd: Path, typed: str) -> subprocess.CompletedProcess[str]:
    """Run a command with ``typed`` on its standard input."""
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.run(  # noqa: S603 - commands built by the tests themselves
        command, cwd=cwd, input=typed, capture_output=True, text=True, timeout=120, check=False
    )
