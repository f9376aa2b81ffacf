"""The repo as it was before an upgrade's copier migrations changed it, put back on failure.

copier runs the ``before`` migrations of an update in the repo before it reads the new
answers (they may rename answers). If the upgrade then stops (a missing answer, a template
that does not render, Ctrl-C at a question), the repo would be left half-migrated, neither
the old version nor the new one. :func:`undone_on_failure` records the repo's files just
before the first migration runs and puts every file back as it was when the block fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scaffolder.errors import ScaffolderError
from scaffolder.project import NOT_CONTENT
from scaffolder.safepath import inside, write_file


@dataclass(frozen=True)
class Entry:
    """One file (its bytes and mode), symbolic link (its target) or folder (neither)."""

    content: bytes | None = None
    mode: int = 0
    link: str | None = None

    @property
    def folder(self) -> bool:
        return self.content is None and self.link is None


def take(repo: Path) -> dict[str, Entry]:
    """Every file, symbolic link and folder of ``repo`` but its git folder and tool caches."""
    found: dict[str, Entry] = {}
    for dirpath, dirnames, filenames in os.walk(repo):
        dirnames[:] = [d for d in dirnames if d not in NOT_CONTENT]
        here = Path(dirpath)
        for name in (*dirnames, *filenames):
            path = here / name
            rel = path.relative_to(repo).as_posix()
            if path.is_symlink():
                found[rel] = Entry(link=str(path.readlink()))
            elif path.is_dir():
                found[rel] = Entry()
            elif path.is_file():
                found[rel] = Entry(path.read_bytes(), path.stat().st_mode & 0o7777)
    return found


def restore(repo: Path, taken: dict[str, Entry]) -> None:
    """Put ``repo`` back as :func:`take` found it: what is new removed (folders too), what
    changed or went missing written again."""
    now = take(repo)
    for rel in sorted(set(now) - set(taken), reverse=True):  # a folder after its files
        path = repo / rel
        if now[rel].folder:
            shutil.rmtree(path, ignore_errors=True)  # new: what is left in it is new too
        else:
            path.unlink(missing_ok=True)  # under a new folder already removed
    for rel, entry in sorted(taken.items()):  # a folder before its files
        if now.get(rel) == entry:
            continue
        path = inside(repo, rel)  # the write guard: no folder on the way leads out
        if path.is_dir() and not path.is_symlink():
            if entry.folder:
                continue
            shutil.rmtree(path)
        if entry.content is not None:
            write_file(repo, rel, entry.content, entry.mode)  # replaces a link, never follows
            continue
        path.unlink(missing_ok=True)
        if entry.link is not None:
            path.symlink_to(entry.link)  # the repo's own link, as it was
        else:
            path.mkdir()


@contextmanager
def undone_on_failure(repo: Path) -> Iterator[Callable[[], None]]:
    """Yields ``mark``: called right before the repo is first changed, it records the files;
    if the block then raises (Ctrl-C too), they are put back before the error goes on."""
    taken: list[dict[str, Entry]] = []

    def mark() -> None:
        if not taken:
            taken.append(take(repo))

    try:
        yield mark
    except BaseException as exc:
        if taken:
            restore(repo, taken[0])
            if isinstance(exc, ScaffolderError):
                undone = "the migrations' changes to the repo were undone"
                exc.hint = f"{exc.hint}; {undone}" if exc.hint else undone
        raise
