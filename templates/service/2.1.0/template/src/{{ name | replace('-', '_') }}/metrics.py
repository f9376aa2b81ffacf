"""Prometheus metrics of the service, exposed on /metrics.

The request metrics carry the route template (``/items/{item_id}``), never the raw path,
so that the number of time series stays bounded whatever URLs clients send.
"""

from fastapi import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Histogram,
    Info,
    generate_latest,
)

from . import __version__

LABELS = ("method", "route", "status")

REQUESTS = Counter("http_requests_total", "HTTP requests handled.", LABELS)
LATENCY = Histogram("http_request_duration_seconds", "HTTP request latency in seconds.", LABELS)
# service_build_info{version="..."} 1 shows on dashboards which version each pod runs.
BUILD = Info("service_build", "Build information of the running service.")
BUILD.info({"version": __version__})

# Route label of requests that matched no route (404s from scanners, typos).
UNMATCHED_ROUTE = "unmatched"


def render_metrics() -> Response:
    """Current metrics in the Prometheus text exposition format."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
