"""The app's two families of routes, told apart by path: the JSON API and the pages.

Each family has its own error bodies (problem+json, or an HTML page), its own security headers
and its own CSRF rule (forms on pages need the session's token; JSON requests need none).
"""

from __future__ import annotations

# Paths answered by machines: the API and its document, the probes that orchestrators call, and
# the metrics Prometheus scrapes. Everything else
# (the pages, their stylesheet, paths that match no route) belongs to the pages.
JSON_PATHS = ("/api", "/openapi.json", "/healthz", "/readyz", "/metrics")
_BELOW = tuple(f"{path}/" for path in JSON_PATHS)
_EXACT = frozenset(JSON_PATHS)


def serves_json(path: str) -> bool:
    """Whether ``path`` is one of ``JSON_PATHS`` or lies below one."""
    return path in _EXACT or path.startswith(_BELOW)
