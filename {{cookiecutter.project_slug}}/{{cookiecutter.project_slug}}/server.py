"""What ``gunicorn.conf.py`` reads: the server's own settings, by the rules of :mod:`.settings`."""

from __future__ import annotations

import os

from pydantic import Field

from .settings import Count, Flag, Positive, Settings


def default_workers() -> int:
    """gunicorn's worker count when ``WEB_CONCURRENCY`` is unset: two per usable CPU, plus
    one, at most eight."""
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    cpus = len(usable) if usable else os.cpu_count()
    return min(2 * (cpus or 1) + 1, 8)


class ServerSettings(Settings):
    """gunicorn's variables (README, "Settings"); the app reads ``WEB_CONCURRENCY`` too."""

    APP_ENV: str = "production"  # as wsgi.py: production unless told otherwise
    PORT: Positive = 8000
    GUNICORN_BIND: str = ""  # host:port; empty: every interface on PORT
    WEB_CONCURRENCY: Positive = Field(default_factory=default_workers)
    GUNICORN_TIMEOUT: Count = 30
    GUNICORN_GRACEFUL_TIMEOUT: Count = 30
    GUNICORN_KEEPALIVE: Count = 5
    GUNICORN_MAX_REQUESTS: Count = 10000
    GUNICORN_MAX_REQUESTS_JITTER: Count = 1000
    GUNICORN_PRELOAD: Flag = False

    @property
    def bind(self) -> str:
        return self.GUNICORN_BIND or f"0.0.0.0:{self.PORT}"

    @property
    def serves_production(self) -> bool:
        return self.APP_ENV.strip().lower() == "production"
