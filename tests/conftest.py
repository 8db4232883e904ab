"""Fixtures shared by the template's tests: baked projects and virtualenvs, made once."""

from __future__ import annotations

from pathlib import Path

import pytest

from .baking import bake, make_venv


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project baked with every default answer."""
    return bake(tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="session")
def default_python(default_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with the default project and only its declared dependencies."""
    return make_venv(tmp_path_factory.mktemp("venv") / "default", default_project)
