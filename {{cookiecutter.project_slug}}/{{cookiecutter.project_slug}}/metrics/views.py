"""``GET /metrics``: the Prometheus text format, only for addresses in ``METRICS_ALLOW``.

The numbers carry no secrets, parameters, paths or SQL; the allow-list (loopback by default)
keeps even the endpoint names and traffic figures away from clients that need not see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv6Address, ip_address

from flask import Blueprint, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from ..errors import problem
from ..settings import Networks

bp = Blueprint("metrics", __name__)
EXTENSION = "metrics"


@dataclass(frozen=True)
class Exposition:
    """What ``/metrics`` needs, built once at start-up."""

    networks: Networks
    registry: CollectorRegistry


def exposition(allow: Networks) -> Exposition:
    """The allow-list (``METRICS_ALLOW``) and a registry that reads every worker's files."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Exposition(allow, registry)


def is_allowed(address: str | None, networks: Networks) -> bool:
    try:
        client = ip_address(address or "")
    except ValueError:
        return False  # a Unix socket, say: no address to check
    if isinstance(client, IPv6Address) and client.ipv4_mapped:  # IPv4 client, server on [::]
        client = client.ipv4_mapped
    return any(client in network for network in networks)


@bp.get("/metrics")
def metrics() -> Response:
    """Every worker's numbers, added up; 403 for an address outside ``METRICS_ALLOW``."""
    served: Exposition = current_app.extensions[EXTENSION]
    if not is_allowed(request.remote_addr, served.networks):
        return problem(403, "Metrics are served only to the addresses in METRICS_ALLOW.")
    return Response(generate_latest(served.registry), mimetype=CONTENT_TYPE_LATEST)
