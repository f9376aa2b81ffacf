"""ASGI middleware recording the metrics and a JSON log line of every HTTP request."""

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .metrics import LATENCY, REQUESTS, UNMATCHED_ROUTE

log = logging.getLogger(__name__)

# Probes and scrapes arrive every few seconds; logging them would drown the useful lines.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


class TelemetryMiddleware:
    """Pure ASGI middleware (no BaseHTTPMiddleware) so streaming responses stay untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        start = time.perf_counter()
        status = 500  # stays 500 when the app raises before it starts a response

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            duration = time.perf_counter() - start
            # The router stores the matched route in the scope, which is shared with us.
            route = getattr(scope.get("route"), "path", UNMATCHED_ROUTE)
            labels = (scope["method"], route, str(status))
            REQUESTS.labels(*labels).inc()
            LATENCY.labels(*labels).observe(duration)
            if route not in QUIET_ROUTES:
                log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "route": route,
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round(duration * 1000, 2),
                    },
                )
