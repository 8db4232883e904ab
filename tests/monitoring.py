"""A real Prometheus (Debian's package) scraping a served app on loopback, and ways to read it.

:func:`scraping` starts one on a free loopback port with a scrape config for the app (every
second), waits until it has the app's numbers, and stops it afterwards. :func:`parse` reads the
text format the app serves, for checks that need no Prometheus.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from .http import free_port

SCRAPE_SECONDS = 1
JOB = "app"
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')

Samples = list[tuple[str, dict[str, str], float]]


def parse(text: str) -> Samples:
    """Each sample of a Prometheus text exposition as (name, labels, value)."""
    samples = []
    for line in text.splitlines():
        match = SAMPLE.match(line)
        if match and not line.startswith("#"):
            labels = dict(LABEL.findall(match.group(2) or ""))
            samples.append((match.group(1), labels, float(match.group(3))))
    return samples


def require_prometheus() -> str:
    """The ``prometheus`` binary; skip (fail in CI) where it is not installed."""
    binary = shutil.which("prometheus")
    if binary is None:
        reason = "prometheus is not installed (apt-get install -y prometheus; .ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return binary


def get_json(url: str, timeout: float = 5) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
        return json.loads(response.read())


def query(base: str, promql: str) -> list[dict[str, Any]]:
    """An instant query through the HTTP API; the result vector."""
    body = get_json(f"{base}/api/v1/query?{urllib.parse.urlencode({'query': promql})}")
    assert body["status"] == "success", body
    return list(body["data"]["result"])


def wait_for(base: str, promql: str, seconds: float = 20) -> list[dict[str, Any]]:
    """Poll ``promql`` until it returns a non-empty result; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = query(base, promql)
        except OSError:
            result = []
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"Prometheus had no result for {promql!r} within {seconds}s")


@contextmanager
def scraping(target: str, workdir: Path) -> Iterator[str]:
    """Run Prometheus scraping ``target`` (``host:port``) every second; yield its base URL."""
    binary = require_prometheus()
    port = free_port()
    config = workdir / "prometheus.yml"
    config.write_text(
        "global:\n"
        f"  scrape_interval: {SCRAPE_SECONDS}s\n"
        f"  scrape_timeout: {SCRAPE_SECONDS}s\n"
        "scrape_configs:\n"
        f"  - job_name: {JOB}\n"
        f"    static_configs: [{{targets: ['{target}']}}]\n",
        encoding="utf-8",
    )
    log = workdir / "prometheus.log"
    command = [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={workdir / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for(base, f'up{{job="{JOB}"}} == 1')
        except AssertionError as error:
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise AssertionError(f"{error}; its log ends:\n{tail}") from None
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
