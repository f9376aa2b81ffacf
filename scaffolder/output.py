"""Where output goes, as git, gh and kubectl do it: results on stdout, everything else on stderr.

A command's result (a report, a table, a generated repo's summary, JSON) is written to stdout,
so ``scaffolder diff > out.txt`` and ``scaffolder diff | less`` work; progress, notes and errors
go to stderr. A reader that stops early (``scaffolder diff | head -3``) ends the run quietly,
with exit code 0, as ``git log | head`` does.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys


def discard_stdout() -> None:
    """After a broken pipe: send what is left of stdout to /dev/null.

    Without this, Python's final flush of stdout fails again and prints "Exception ignored"
    on stderr; replacing the file descriptor makes that flush succeed silently.
    """
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 repo``, ``2 repos``; ``many`` for irregular plurals."""
    return f"{count} {word if count == 1 else many or word + 's'}"
