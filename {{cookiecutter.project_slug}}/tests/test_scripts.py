"""The standalone scripts, run as a user would: ``python scripts/<name>.py``."""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from .factories import UserFactory

PROJECT = Path(__file__).resolve().parent.parent


def load_script(name: str) -> ModuleType:
    """Import ``scripts/<name>.py`` as a module, to call its functions."""
    spec = importlib.util.spec_from_file_location(name, PROJECT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_export_writes_every_user_in_id_order(db: Any) -> None:
    users = UserFactory.create_batch(3)
    export_users = load_script("export_users").export_users
    out = io.StringIO()
    assert export_users(out, batch_size=2) == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [int(row["id"]) for row in rows] == [user.id for user in users]
    assert rows[0]["email"] == users[0].email


def test_export_script_runs_from_the_project_folder(
    migrated_database_url: str, tmp_path: Path
) -> None:
    output = tmp_path / "users.csv"
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": migrated_database_url}
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "scripts/export_users.py", "--output", str(output)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Exported 0 users." in result.stderr
    assert output.read_text(encoding="utf-8").splitlines() == ["id,email,name,created_at"]
