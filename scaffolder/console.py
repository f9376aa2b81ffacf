"""The rich consoles human-facing output prints to: results on stdout, messages on stderr."""

from __future__ import annotations

import sys

from rich.console import Console


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """The reader stopped early (`| head`): let the CLI end quietly with exit 0.

        rich's own handler exits 1; the CLI's command group catches this instead
        (:mod:`scaffolder.output`).
        """
        self.quiet = True
        raise BrokenPipeError


def stdout_console() -> Console:
    """Where a command's human-readable result goes (scaffolder.output explains the split).

    Colour and wrapping on a terminal; plain, unwrapped lines for files and pipes.
    """
    return _Console(highlight=False, soft_wrap=not sys.stdout.isatty())


def stderr_console() -> Console:
    """Progress and messages: colour and wrapping on a terminal; plain lines for logs and pipes."""
    tty = sys.stderr.isatty()
    return _Console(stderr=True, highlight=False, soft_wrap=not tty)
