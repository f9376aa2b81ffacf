"""Entry point: ``python -m <package>`` serves the app with uvicorn."""

import uvicorn

from .app import create_app
from .config import Settings
from .logs import configure_logging


def main() -> None:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    uvicorn.run(
        create_app(),
        host=settings.host,
        port=settings.port,
        log_config=None,  # keep the JSON handler configure_logging installed
        access_log=False,  # TelemetryMiddleware logs requests as JSON instead
        server_header=False,
        # Must stay below the pod's terminationGracePeriodSeconds minus the preStop sleep.
        timeout_graceful_shutdown=settings.shutdown_timeout,
    )


if __name__ == "__main__":
    main()
