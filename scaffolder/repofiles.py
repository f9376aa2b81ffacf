"""Reading files of a repo being checked (diff, audit, upgrade) without ever hanging on one.

A repo in a fleet is not trusted to hold only regular files: a FIFO in place of a tracked
file would block a plain ``read`` forever and stop the whole audit, a device could be read
without end, a symlink could point at a host file. Each is an error for that repo (the audit
reports it and goes on). Files are opened non-blocking and checked with ``fstat`` before a
byte is read, so a special file is never read; a regular file over the ``file_bytes`` limit is
refused too.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from scaffolder.errors import ProjectError
from scaffolder.limits import Limits, current
from scaffolder.templatefiles import special_kind, within


class SpecialFileError(ProjectError):
    """A repo path is a FIFO, socket, device or a symlink out of the repo."""


def read_repo_file(repo: Path, rel: str, limits: Limits | None = None) -> bytes | None:
    """The bytes of ``repo/rel``; None when it does not exist (or is a folder).

    ``limits``: the limits in force, when the caller reads many files (else looked up)."""
    path = repo / rel
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:  # as Path.is_symlink() and Path.stat() report them
        if exc.errno not in (errno.EBADF, errno.ELOOP):
            raise
        raise ProjectError(f"cannot read {path}: {exc.strerror}") from exc
    link = stat.S_ISLNK(mode)
    if link and not within(path, repo):
        raise SpecialFileError(
            f"{path} is a symlink that leads outside the repo; scaffolder does not follow it",
            hint="replace it with a regular file, or remove it",
        )
    try:
        if link:  # what it leads to
            mode = path.stat().st_mode
        _check_kind(path, mode)  # before open: a socket cannot even be opened
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except OSError as exc:
        raise ProjectError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            return None
        _check_kind(path, info.st_mode)  # again on what was opened (it may have been swapped)
        limits = limits or current()
        if info.st_size > limits.file_bytes:
            raise limits.error("file_bytes", f"{path} ({info.st_size} bytes)")
        # Only a regular file is read, and O_NONBLOCK does not change how one reads.
        return _read_all(fd, info.st_size)
    finally:
        os.close(fd)


def _read_all(fd: int, size: int) -> bytes:
    """Everything left in ``fd`` (a file may grow after ``fstat``: read to the end)."""
    chunks = [os.read(fd, size + 1)]
    while chunks[-1]:
        chunks.append(os.read(fd, max(size, 1 << 16)))
    return b"".join(chunks)


def _check_kind(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return
    raise SpecialFileError(
        f"{path} is {special_kind(mode) or 'not a regular file'}; scaffolder never reads "
        "special files",
        hint="replace it with a regular file, or remove it",
    )


def read_repo_text(repo: Path, rel: str) -> str | None:
    content = read_repo_file(repo, rel)
    return None if content is None else content.decode("utf-8")
