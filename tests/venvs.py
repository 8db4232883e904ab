"""Virtualenvs shared between bakes: one per database choice, made on first use.

Bakes that differ only in other answers declare the same dependencies, so they can share one.
Each is made from a bake's own ``pyproject.toml``: a dependency missing there is missing here.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .baking import make_venv

_ROOT = Path(tempfile.mkdtemp(prefix="fdt-venvs-"))
_PYTHONS: dict[str, Path] = {}


def venv_for(database: str, project: Path) -> Path:
    """The python of the shared virtualenv for ``database``, installed from ``project``.

    ``database`` is the key the bakes share a virtualenv by: bakes that also declare a job
    queue's dependencies use ``<database>-<queue>``.
    """
    if database not in _PYTHONS:
        _PYTHONS[database] = make_venv(_ROOT / database, project)
    return _PYTHONS[database]
