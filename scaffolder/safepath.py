"""The write guard: every path a template renders stays inside the destination.

Every writer (``new`` with either engine, ``upgrade``, ``adopt``, and through the CLI the
Backstage action) checks each relative path with :func:`check_relpath` before it writes
anything, and writes with :func:`write_file`, which also refuses to follow a symlink out of the
destination. The rules, as Backstage's ``resolveSafeChildPath`` and pip's wheel installer apply
them: a path is POSIX and relative; no part is empty, ``..``, or holds NUL; no part is ``.git``
(git would run hooks and config from it). ``.`` parts are normalised away.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from scaffolder.errors import DestinationError

_DRIVE = re.compile(r"[A-Za-z]:([/\\]|$)")


class UnsafePathError(DestinationError):
    """A rendered path would leave the destination (or write into ``.git``)."""


def problem(path: str) -> str | None:
    """Why ``path`` is not a safe relative path, or None."""
    if "\0" in path:
        return "it holds a NUL byte"
    if not path:
        return "it is empty"
    if path.startswith("/") or _DRIVE.match(path):  # C:\ or C:/ names a drive on Windows
        return "it is absolute"
    for part in path.split("/"):
        if part == "":
            return "it has an empty part"
        if part == "..":
            return "it goes up with `..`"
        if part.lower() == ".git":
            return "it writes into `.git`"
    if all(part == "." for part in path.split("/")):
        return "it names the destination itself"
    return None


def normalise(path: str) -> str:
    return "/".join(part for part in path.split("/") if part != ".")


def _culprits(path: str, answers: Mapping[str, Any]) -> list[str]:
    """The answers whose text appears in the path and could have made it unsafe."""
    out = []
    emptied = path.startswith("/") or "//" in path  # an empty answer can do that
    for name, value in answers.items():
        if not isinstance(value, str) or name.startswith("_"):
            continue
        if not value:
            if emptied:
                out.append(f"{name}=''")
            continue
        if value not in path:
            continue
        if problem(value) is not None or "/" in value or value.strip(".") == "":
            out.append(f"{name}={value!r}")
    return out


def check_relpath(
    path: str,
    *,
    source: str | None = None,
    answers: Mapping[str, Any] | None = None,
    origin: str = "",
) -> str:
    """``path`` normalised, or :class:`UnsafePathError` naming the template file and answer."""
    why = problem(path)
    if why is None:
        return normalise(path)
    made = f"template file {source}" if source else "the template"
    if origin:
        made += f" of {origin}"
    culprits = _culprits(path, answers or {})
    cause = (
        f"from the answer {' and '.join(culprits)}"
        if culprits
        else "from the template's own text (no answer)"
    )
    raise UnsafePathError(
        f"refusing to write outside the destination: {made} renders the path {path!r} "
        f"{cause}; {why}",
        hint="nothing was written; answer with a plain name (no `/`, `..` or absolute path)",
    )


def check_paths(paths: Iterable[str]) -> None:
    """Check every path before the first write: all of them, or nothing."""
    for path in paths:
        check_relpath(path)


def inside(root: Path, path: str) -> Path:
    """``root/path``, refusing one whose existing folders lead outside ``root`` via symlinks."""
    rel = check_relpath(path)
    target = root / rel
    real_root = os.path.realpath(root)
    real_parent = os.path.realpath(target.parent)
    if real_parent != real_root and not real_parent.startswith(real_root + os.sep):
        raise UnsafePathError(
            f"refusing to write {path}: a symlink in its folders leads outside {root}",
            hint="nothing was written; replace the symlinked folder with a real one",
        )
    return target


def write_file(root: Path, path: str, content: bytes, mode: int | None = None) -> Path:
    """Write ``root/path`` through the guard; a symlink at the path is replaced, not followed."""
    target = inside(root, path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        target.unlink()
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(target, flags, 0o644 if mode is None else mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    if mode is not None:
        target.chmod(mode)
    return target


def write_symlink(root: Path, path: str, link: str) -> Path:
    """Make ``root/path`` a symlink to ``link`` (copier's ``_preserve_symlinks``): the link must
    be relative and resolve inside ``root``, so a repo never points at a host file."""
    target = inside(root, path)
    real_root = os.path.realpath(root)
    resolved = os.path.realpath(target.parent / link)
    if Path(link).is_absolute() or (
        resolved != real_root and not resolved.startswith(real_root + os.sep)
    ):
        raise UnsafePathError(
            f"refusing to write {path}: it links to {link}, outside {root}",
            hint="nothing was written; a template may only link to its own files",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.exists():
        target.unlink()
    target.symlink_to(link)
    return target
