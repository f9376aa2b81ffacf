"""Things a run should tell the user once, whichever library call noticed them.

A render that skipped an untrusted template's hooks is the example: the renderer cannot print
(it runs inside diff, upgrade, audit workers and the Backstage action alike), so it adds a
notice here and the CLI prints each distinct notice once, on stderr, when the command ends.
"""

from __future__ import annotations

_PENDING: dict[str, None] = {}  # insertion-ordered set


def add(message: str) -> None:
    _PENDING.setdefault(message, None)


def drain() -> list[str]:
    """Every pending notice, oldest first; the list is emptied."""
    out = list(_PENDING)
    _PENDING.clear()
    return out
