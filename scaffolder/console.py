"""The stderr console every human-facing report prints to."""

from __future__ import annotations

import sys

from rich.console import Console


def stderr_console() -> Console:
    """Colour and wrapping on a terminal; plain, unwrapped lines for logs and pipes."""
    tty = sys.stderr.isatty()
    return Console(stderr=True, highlight=False, soft_wrap=not tty)
