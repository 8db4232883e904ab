"""Job metrics at ``/metrics``: sends, starts and failures counted, and the queue's depth."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from ..test_metrics import Scrape

pytestmark = pytest.mark.usefixtures("metrics_dir")

IMPORT = {"rows": [{"email": "metrics@example.com", "name": "M"}]}


def test_jobs_are_counted_by_name_and_the_queue_depth_read_from_the_broker(
    make_app: Callable[..., Flask], db: Any
) -> None:
    app = make_app(METRICS_ENABLED="1")
    lost = make_app(METRICS_ENABLED="1", REDIS_URL="redis://127.0.0.1:1/0", JOB_EAGER="0")
    client = app.test_client()
    before = Scrape(client)
    assert client.post("/api/users/imports", json=IMPORT).status_code == 202
    assert client.post("/api/users/imports", json={"rows": [{"email": 1}]}).status_code == 422
    assert lost.test_client().post("/api/users/imports", json=IMPORT).status_code == 202
    after = Scrape(client)
    assert after.since(before, "jobs_enqueued_total") == 1  # the lost one was never sent
    assert after.since(before, "jobs_started_total", job="users.import") == 1
    assert after.since(before, "jobs_failed_total", job="users.import") == 0
    assert "jobs_queue_depth " in after.text  # eager: nothing waits; the figure is there
    assert "metrics@example.com" not in after.text
