"""The baked suite passes on the newer Pythons the template offers, run for real.

The host runs 3.11. ``make pythons`` (``.ci/pythons``) keeps a Debian root per newer version,
holding that Python and uv; a bake is copied into each root and its suite runs there under
``chroot``, on the same loopback network, so against the same database servers. Each database
is baked once and the versions run side by side. Python 3.12 has no Debian package: bake, ruff
and mypy check it (``tests/test_combinations.py``), nothing runs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

import pytest

from .baking import SUITE, bake, check_suite, project_install, uv_install
from .servers import fresh_database, unavailable

pytestmark = pytest.mark.slow

CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"  # the host's, copied in by .ci/pythons
ROOTS = Path(os.environ.get("PYTHON_ROOTS", "/var/cache/flask-db-template/pythons"))
VERSIONS = ["3.13", "3.14"]
UV = "/opt/tools/bin/uv"  # installed into each root by .ci/pythons
# Only what a run needs crosses into the root, plus the host's proxy settings if it has any.
PROXIES = ("http_proxy", "https_proxy", "no_proxy")
PASSED_ON = {"CI", *PROXIES, *(name.upper() for name in PROXIES)}
CHROOT = shutil.which("chroot") or "/usr/sbin/chroot"


def python_root(version: str) -> Path:
    """The root holding ``version``; skipped (failed in CI) when it has not been built."""
    root = ROOTS / f"python{version}"
    if not (root / UV.lstrip("/")).exists():
        unavailable(f"no Python {version} root at {root}: run `make pythons`")
    return root


def root_env(**settings: str) -> dict[str, str]:
    passed = {key: value for key, value in os.environ.items() if key in PASSED_ON}
    return {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": "/root",
        "LANG": "C.UTF-8",
        "SSL_CERT_FILE": CA_BUNDLE,
        **passed,
        **settings,
    }


def in_root(
    root: Path, cwd: PurePosixPath, command: list[str], **settings: str
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` inside ``root`` from ``cwd`` (a path inside the root)."""
    return subprocess.run(  # noqa: S603 - commands built by the tests themselves
        [CHROOT, str(root), "/usr/bin/env", "-C", str(cwd), *command],
        env=root_env(**settings),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@contextmanager
def copied_into(root: Path, project: Path) -> Iterator[PurePosixPath]:
    """``project`` copied into ``root``; yields its path as seen inside; removed afterwards."""
    inside = PurePosixPath("/tmp") / f"fdt-{uuid.uuid4().hex[:10]}"
    host = root / inside.relative_to("/")
    shutil.copytree(project, host / project.name)
    try:
        yield inside
    finally:
        shutil.rmtree(host)


def suite_on(version: str, database: str, project: Path) -> subprocess.CompletedProcess[str]:
    """Install ``project`` into a new virtualenv of ``version`` inside its root; run its suite."""
    root = python_root(version)
    started = time.monotonic()
    with copied_into(root, project) as inside:
        python, source = inside / "venv/bin/python", inside / project.name
        steps = [
            [UV, "venv", "--quiet", "--python", f"/usr/bin/python{version}", str(inside / "venv")],
            [*uv_install(python, UV), *project_install(source)],
        ]
        for step in steps:
            result = in_root(root, inside, step)
            assert result.returncode == 0, f"{version}: {step[1]}: {result.stderr[-3000:]}"
        installed = time.monotonic()
        with fresh_database(database, f"py{version.replace('.', '')}") as url:
            result = in_root(root, source, [str(python), *SUITE], TEST_DATABASE_URL=url)
    print(
        f"[python {version}, {database}] install {installed - started:.1f}s, "
        f"suite {time.monotonic() - installed:.1f}s",
        file=sys.stderr,
    )
    return result


@pytest.mark.parametrize("database", ["sqlite", "postgresql", "mysql"])
def test_baked_suite_passes_on_the_newer_pythons(tmp_path: Path, database: str) -> None:
    for version in VERSIONS:
        python_root(version)  # skip before baking when a root is missing
    project = bake(tmp_path, database=database, python_version=VERSIONS[0])
    with ThreadPoolExecutor(max_workers=len(VERSIONS)) as pool:
        results = list(pool.map(lambda version: suite_on(version, database, project), VERSIONS))
    failures = []
    for version, result in zip(VERSIONS, results, strict=True):
        try:  # every version's summary is printed, whichever fails
            check_suite(result, f"{project.name} on python {version}")
        except AssertionError as failure:
            failures.append(str(failure))
    assert not failures, "\n\n".join(failures)
