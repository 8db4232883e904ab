"""The bake's constraints file: every version the template's suite installs, for every choice.

``constraints.txt`` (in the project template, so every bake carries it) is one universal
resolution (``uv pip compile --universal``) of everything any bake can declare: the template's
``pyproject.toml`` is rendered for every combination of the list choices in
``cookiecutter.json``, and the union of their dependencies and dependency groups is resolved for
the lowest Python offered, with markers for the others. pip takes it with ``-c``; the baked
``pyproject.toml`` copies its lines into ``[tool.uv] constraint-dependencies``, which
``uv lock``/``uv sync`` honour.

``python -m tests.locking`` (``make lock``) regenerates it; ``stale()`` (run by
``tests/test_lock.py``, offline) lists what no longer matches the rendered pyprojects.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from cookiecutter.environment import StrictEnvironment
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config
from jinja2 import FileSystemLoader
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

TEMPLATE = Path(__file__).resolve().parent.parent
PROJECT_TEMPLATE = TEMPLATE / "{{cookiecutter.project_slug}}"
CONSTRAINTS = PROJECT_TEMPLATE / "constraints.txt"
# The name the resolution's input has in the file's "# via" comments.
INPUT_NAME = "pyproject-of-every-choice.in"
COMMAND = "make lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?:\s*;\s*(.+))?$")


def choices() -> dict[str, list[str]]:
    """The template's list choices (the options whose answers can change what a bake needs)."""
    spec = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    return {
        name: values
        for name, values in spec.items()
        if isinstance(values, list) and not name.startswith("_")
    }


def rendered_pyprojects() -> list[dict[str, object]]:
    """The template's ``pyproject.toml`` as baked for every combination of the choices.

    The other answers are the defaults: no list choice is derived from another answer.
    """
    context = generate_context(context_file=str(TEMPLATE / "cookiecutter.json"))
    defaults = prompt_for_config(context, no_input=True)
    env = StrictEnvironment(context=context, keep_trailing_newline=True)
    env.loader = FileSystemLoader(str(PROJECT_TEMPLATE))
    template = env.from_string((PROJECT_TEMPLATE / "pyproject.toml").read_text(encoding="utf-8"))
    options = choices()
    texts = {
        template.render(cookiecutter={**defaults, **dict(zip(options, values, strict=True))})
        for values in itertools.product(*options.values())
    }
    return [tomllib.loads(text) for text in sorted(texts)]


def declared(pyproject: dict[str, object]) -> list[str]:
    """The requirements a bake declares: dependencies, extras and dependency groups."""
    project = pyproject["project"]
    assert isinstance(project, dict)
    found = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        found += extra
    groups = pyproject.get("dependency-groups", {})
    assert isinstance(groups, dict)
    for group in groups.values():
        found += [entry for entry in group if isinstance(entry, str)]  # not {include-group}
    return found


def union() -> tuple[list[str], str]:
    """Every requirement any bake declares (sorted, unique), and the lowest Python offered."""
    requirements: set[str] = set()
    lowest: list[Version] = []
    for pyproject in rendered_pyprojects():
        requirements.update(declared(pyproject))
        project = pyproject["project"]
        assert isinstance(project, dict)
        lowest.append(Version(str(project["requires-python"]).removeprefix(">=")))
    return sorted(requirements), str(min(lowest))


def pins(text: str) -> dict[str, tuple[Version, str | None, set[str]]]:
    """The constraints file's pins: name -> (version, marker, the names its "# via" lists)."""
    found: dict[str, tuple[Version, str | None, set[str]]] = {}
    current = ""
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            current = str(canonicalize_name(match[1]))
            found[current] = (Version(match[2]), match[3], set())
        elif current and line.startswith("    #"):
            via = line.strip().lstrip("#").strip().removeprefix("via").strip()
            if via:
                found[current][2].add(via if via.startswith("-r") else canonicalize_name(via))
    return found


def stale(text: str, requirements: list[str]) -> list[str]:
    """What makes ``text`` (a constraints file) disagree with ``requirements``; empty if none."""
    pinned = pins(text)
    problems = []
    roots = set()
    for requirement in map(Requirement, requirements):
        name = canonicalize_name(requirement.name)
        roots.add(name)
        if name not in pinned:
            problems.append(f"{requirement}: no pin")
        elif pinned[name][0] not in requirement.specifier:
            problems.append(f"{requirement}: pinned at {pinned[name][0]}, outside the range")
    needed = set(roots)
    changed = True
    while changed:  # a pin is needed when a root or a needed pin requires it
        grown = {name for name, (_, _, via) in pinned.items() if via & needed}
        changed = not grown <= needed
        needed |= grown
    problems += [
        f"{name}: pinned, but nothing requires it" for name in pinned if name not in needed
    ]
    return problems


def compile_constraints(requirements: list[str], python: str) -> str:
    """One universal resolution of ``requirements``, as ``uv pip compile`` writes it."""
    uv = str(Path(sys.executable).with_name("uv"))
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / INPUT_NAME).write_text("\n".join(requirements) + "\n", encoding="utf-8")
        result = subprocess.run(  # noqa: S603 - a fixed command
            [
                *(uv, "pip", "compile", "--quiet", "--universal", "--no-config"),
                *("--python-version", python, "--custom-compile-command", COMMAND, INPUT_NAME),
            ],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    if result.returncode != 0:
        raise SystemExit(f"uv pip compile failed:\n{result.stderr}")
    return result.stdout


def main() -> None:
    if not CONSTRAINTS.exists():
        CONSTRAINTS.write_text("", encoding="utf-8")  # the pyproject template includes it
    requirements, python = union()
    text = compile_constraints(requirements, python)
    problems = stale(text, requirements)
    if problems:
        raise SystemExit("the new resolution does not check out:\n" + "\n".join(problems))
    CONSTRAINTS.write_text(text, encoding="utf-8")
    print(f"{CONSTRAINTS.relative_to(TEMPLATE)}: {len(pins(text))} pins, Python >= {python}")


if __name__ == "__main__":
    main()
