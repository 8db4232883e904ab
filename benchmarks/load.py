"""Keep-alive clients that send one kind of request for a while, and what they measured."""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field

from tests.traffic import JSON, Client


@dataclass(frozen=True)
class Endpoint:
    """One kind of request: GET ``path``, or POST a new user to it when ``creates``."""

    path: str
    expected: int = 200
    creates: bool = False


@dataclass
class Measure:
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0  # an unexpected status, or no answer at all

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0


def hammer(base: str, endpoint: Endpoint, clients: int, seconds: float, label: str) -> Measure:
    """``clients`` keep-alive clients send ``endpoint`` for ``seconds``; count and time them.

    Creates use emails unique to ``label`` and the client, so none is a duplicate.
    """
    measure = Measure()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client_loop(number: int) -> None:
        client = Client(base)
        latencies, errors = [], 0
        for sequence in itertools.count():
            if time.monotonic() >= deadline:
                break
            body = None
            if endpoint.creates:
                email = f"{label}.{number}.{sequence}@bench.example"
                body = json.dumps({"email": email, "name": "Bench"}).encode()
            started = time.perf_counter()
            try:
                method = "POST" if endpoint.creates else "GET"
                status = client.send(method, endpoint.path, body, JSON if body else None).status
            except OSError:
                status = 0
                client = Client(base)
            latencies.append(time.perf_counter() - started)
            errors += status != endpoint.expected
        client.close()
        with lock:
            measure.latencies.extend(latencies)
            measure.errors += errors

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    measure.seconds = time.monotonic() - started
    measure.requests = len(measure.latencies) - measure.errors
    return measure
