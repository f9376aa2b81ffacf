"""Staging folders of ``new``: owned by a live run, or stale and removed by the next one.

``new`` writes into ``.DEST.scaffolder-XXXX`` beside the destination and renames it into place.
A run killed with ``kill -9`` cannot clean up, so each run holds an ``flock`` on its staging
folder; the next run in the same parent removes every such folder nobody holds (the kernel
drops the lock of a dead process). A short grace period covers the instant between creating a
folder and locking it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from scaffolder.errors import DestinationError

STAGING_MARK = ".scaffolder-"
GRACE_SECONDS = 5.0
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


@contextlib.contextmanager
def held(folder: Path) -> Iterator[None]:
    """Hold the staging lock on ``folder`` while the run uses it."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _unowned(folder: Path) -> bool:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # a live run holds it
    finally:
        os.close(fd)
    return True


def remove_stale_staging(parent: Path) -> list[Path]:
    """Remove the staging folders of killed runs in ``parent``; returns what was removed."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not (entry.name.startswith(".") and STAGING_MARK in entry.name):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
            if now - entry.stat(follow_symlinks=False).st_mtime < GRACE_SECONDS:
                continue
        except OSError:
            continue
        path = Path(entry.path)
        if _unowned(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def write_failed(dest: Path, exc: OSError) -> DestinationError:
    """The user-facing error for an OSError while writing ``dest`` (nothing is left behind)."""
    if exc.errno in _FULL:
        return DestinationError(
            f"no space left on the device while writing {dest}; nothing was written",
            hint="free some space (or raise the quota) and run again",
        )
    return DestinationError(
        f"cannot write {dest}: {exc.strerror or exc}",
        hint="nothing was written; check the destination's permissions and space",
    )
