"""One upgrade at a time per repo: an ``flock`` beside the upgrade state.

The kernel releases the lock when its process dies, so a killed run never leaves the repo
locked; a second run while the first is alive gets a clear error (exit 1) instead of racing it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from scaffolder.errors import ScaffolderError


class UpgradeLocked(ScaffolderError):
    """Another scaffolder process is upgrading this repo right now."""


def lock_path(state_dir: Path) -> Path:
    return state_dir.with_name(state_dir.name + ".lock")


@contextlib.contextmanager
def upgrade_lock(repo: Path, state_dir: Path, *, keep: bool = True) -> Iterator[None]:
    """Hold the repo's upgrade lock, or raise :class:`UpgradeLocked` at once.

    ``keep=False`` removes the lock file afterwards (outside ``.git`` it would litter the repo).
    """
    path = lock_path(state_dir)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as exc:
        raise ScaffolderError(f"cannot lock {repo} for the upgrade: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            raise UpgradeLocked(
                f"another scaffolder upgrade (pid {holder}) is running in {repo}",
                hint="wait for it to finish, then run again",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            if not keep:
                path.unlink(missing_ok=True)
    finally:
        os.close(fd)
