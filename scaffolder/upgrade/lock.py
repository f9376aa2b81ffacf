"""One upgrade at a time per repo: an ``flock`` on a file beside the upgrade state.

The kernel releases the lock when its process dies, so a killed run never leaves the repo
locked; a second run while the first is alive gets a clear error (exit 1) instead of racing it.
The lock file is removed on release, so a finished upgrade leaves nothing behind; a run that
locked a file another run had just removed sees the inode changed and locks afresh.
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


def _open_locked(repo: Path, path: Path) -> int:
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            raise ScaffolderError(f"cannot lock {repo} for the upgrade: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise UpgradeLocked(
                f"another scaffolder upgrade (pid {holder}) is running in {repo}",
                hint="wait for it to finish, then run again",
            ) from None
        try:
            same = path.stat().st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # its holder removed it as we locked it: lock the new file


@contextlib.contextmanager
def upgrade_lock(repo: Path, state_dir: Path) -> Iterator[None]:
    """Hold the repo's upgrade lock, or raise :class:`UpgradeLocked` at once."""
    path = lock_path(state_dir)
    fd = _open_locked(repo, path)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        path.unlink(missing_ok=True)  # while still holding it
        os.close(fd)
