"""Under sustained concurrent load the served app never fails and never outgrows its pools."""

from __future__ import annotations

import sys

import pytest

from .serving import ServedApp, Watcher, readiness
from .traffic import EXPECTED, Sampler, drive

pytestmark = pytest.mark.slow

CLIENTS = 64
SECONDS = 10
SAMPLE_EVERY = 0.1


def test_sustained_load_stays_within_the_pools_and_never_fails(
    production_app: ServedApp,
) -> None:
    with Watcher(production_app) as watcher:
        sampler = Sampler(watcher.connections, SAMPLE_EVERY, seconds=SECONDS + 30)
        sampler.start()
        try:
            tally = drive(production_app.base, CLIENTS, SECONDS, label="load")
        finally:
            samples = sampler.stop()
        still_busy = watcher.wait_until_idle()
        open_after = watcher.connections()

    rate = tally.requests / tally.seconds
    print(
        f"\nload: {tally.requests} requests from {CLIENTS} clients in {tally.seconds:.1f}s "
        f"({rate:.0f}/s), {dict(sorted(tally.statuses.items()))}, "
        f"{tally.reconnects} reconnects; app connections: max {max(samples)} of "
        f"{production_app.connection_limit} allowed ({len(samples)} samples), "
        f"{open_after} open and idle afterwards",
        file=sys.stderr,
    )
    assert tally.server_errors() == 0
    unexpected = tally.count(lambda kind, status: status != EXPECTED[kind])
    assert unexpected == 0, tally.statuses
    assert tally.requests >= CLIENTS * 10  # the run did real work, not a few requests
    assert len(samples) >= SECONDS * 5
    assert 0 < max(samples) <= production_app.connection_limit
    assert still_busy == 0
    assert open_after <= production_app.connection_limit
    assert [pool["checked_out"] for pool in readiness(production_app.base, 10)] == [0] * 10
