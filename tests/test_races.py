"""Concurrent creates of one email: exactly one wins, every other gets a 409, none a 5xx."""

from __future__ import annotations

import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from .serving import ServedApp, Watcher
from .traffic import Client

pytestmark = pytest.mark.slow

RACERS = 32
BARRIER_SECONDS = 30


def spellings(email: str, count: int) -> list[str]:
    """``count`` spellings of ``email`` that differ only in letter case."""
    local, domain = email.split("@")
    return [
        "".join(c.upper() if (i >> n) & 1 else c for n, c in enumerate(local)) + "@" + domain
        for i in range(count)
    ]


def race(base: str, emails: list[str]) -> list[int]:
    """POST one create per email, all released at the same moment; return the statuses."""
    start = threading.Barrier(len(emails), timeout=BARRIER_SECONDS)

    def create(email: str) -> int:
        client = Client(base)
        try:
            client.connect()  # connected before the barrier: the requests leave together
            start.wait()
            return client.send_json("POST", "/api/users", {"email": email, "name": "Racer"}).status
        finally:
            client.close()

    with ThreadPoolExecutor(max_workers=len(emails)) as pool:
        futures = [pool.submit(create, email) for email in emails]
        return [future.result(timeout=BARRIER_SECONDS + 30) for future in futures]


@pytest.mark.parametrize(
    ("email", "same_spelling"),
    [
        ("race.one@example.com", True),
        ("race.two@example.com", True),
        ("race.three@example.com", False),
        ("race.four@example.com", False),
    ],
)
def test_only_one_of_many_concurrent_creates_wins(
    production_app: ServedApp, email: str, same_spelling: bool
) -> None:
    emails = [email] * RACERS if same_spelling else spellings(email, RACERS)
    statuses = race(production_app.base, emails)
    print(f"\nrace for {email}: {dict(Counter(statuses))}", file=sys.stderr)
    assert sorted(statuses) == [201] + [409] * (RACERS - 1)
    with Watcher(production_app) as watcher:
        stored = watcher.count(
            "SELECT count(*) FROM users WHERE lower(email) = :email", email=email
        )
    assert stored == 1
