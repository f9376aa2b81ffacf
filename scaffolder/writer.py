"""Writing a rendered tree to disk atomically: all of it, or nothing.

Everything is written into a temporary folder beside the destination (same filesystem), the
first commit is made there, and the folder is renamed into place in one step. A failure or
Ctrl-C at any point removes the temporary folder and leaves the destination as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from scaffolder.errors import DestinationError
from scaffolder.render import RenderedTree


def check_destination(dest: Path) -> None:
    """Fail early, before rendering, if ``dest`` cannot become a new repo."""
    if dest.exists() or dest.is_symlink():
        if not dest.is_dir():
            raise DestinationError(
                f"destination {dest} exists and is not a directory", hint="choose a new folder name"
            )
        if any(dest.iterdir()):
            left = partial_marker(dest).exists()  # a run made in place was killed
            raise DestinationError(
                f"destination {dest} exists and is not empty"
                + (" (an interrupted `scaffolder new` left it)" if left else ""),
                hint=f"remove {dest} and {partial_marker(dest)}"
                if left
                else "choose a new folder, or empty this one first",
            )
    parent = _existing_parent(dest)
    if not parent.is_dir():
        raise DestinationError(
            f"cannot create {dest}: {parent} is not a directory",
            hint="choose a destination inside a folder",
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise DestinationError(
            f"cannot write to {parent}: permission denied",
            hint="choose a destination you can write to",
        )


def _existing_parent(dest: Path) -> Path:
    for candidate in [dest.parent, *dest.parent.parents]:
        if candidate.exists():
            return candidate
    return Path("/")


@contextlib.contextmanager
def staging_dir(dest: Path) -> Iterator[Path]:
    """A temporary folder beside ``dest``, removed unless it was moved into place.

    Parent folders created for it are removed again when the operation fails.
    """
    created = [p for p in [dest.parent, *dest.parent.parents] if not p.exists()]
    succeeded = False
    try:
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.scaffolder-", dir=dest.parent))
        except OSError as exc:
            raise DestinationError(
                f"cannot write to {dest.parent}: {exc.strerror or exc}",
                hint="choose a destination you can write to",
            ) from exc
        try:
            yield tmp
            succeeded = True
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    finally:
        if not succeeded:
            for folder in created:  # deepest first
                with contextlib.suppress(OSError):
                    folder.rmdir()


PARTIAL_SUFFIX = ".scaffolder-partial"


def partial_marker(dest: Path) -> Path:
    """Beside a destination being made in place: it says the folder is not finished."""
    return dest.parent / f".{dest.name}{PARTIAL_SUFFIX}"


@contextlib.contextmanager
def in_place(dest: Path) -> Iterator[Path]:
    """Make ``dest`` (new or empty) in place, for code that must run at its final path.

    Cookiecutter hooks record where they ran (a virtualenv's scripts, ``os.getcwd()``), so they
    run in the destination itself. Anything that fails, Ctrl-C included, removes all that was
    made, parents created included; a marker beside it names a folder a killed run left.
    """
    check_destination(dest)
    created = [p for p in [dest, *dest.parents] if not p.exists()]
    marker = partial_marker(dest)
    try:
        dest.mkdir(parents=True, exist_ok=True)
        marker.write_text(f"scaffolder new is making {dest.name} here; if no run is, remove both\n")
    except OSError as exc:
        raise DestinationError(
            f"cannot create {dest}: {exc.strerror or exc}",
            hint="choose a destination you can write to",
        ) from exc
    try:
        yield dest
    except BaseException:
        marker.unlink(missing_ok=True)
        if dest in created:
            shutil.rmtree(dest, ignore_errors=True)
        else:  # it existed, empty: empty it again
            for child in list(dest.iterdir()):
                with contextlib.suppress(OSError):
                    shutil.rmtree(
                        child
                    ) if child.is_dir() and not child.is_symlink() else child.unlink()
        for folder in created[1:]:  # deepest first
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    finally:
        marker.unlink(missing_ok=True)


def write_tree(root: Path, tree: RenderedTree, extra: dict[str, str] | None = None) -> list[str]:
    """Write every file of ``tree`` (plus ``extra`` text files) below ``root``."""
    written = []
    for relpath, rendered in tree.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(rendered.content)
        target.chmod(rendered.mode)
        written.append(relpath)
    for relpath, text in (extra or {}).items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(relpath)
    return sorted(written)


def create_atomically(dest: Path, fill: Callable[[Path], list[str]]) -> list[str]:
    """Run ``fill`` on a staging folder, then move it to ``dest`` (new or empty) at once."""
    check_destination(dest)
    with staging_dir(dest) as tmp:
        written = fill(tmp)
        tmp.chmod(0o777 & ~_umask())
        try:
            # rename(2) replaces an empty directory atomically; anything else is refused.
            tmp.rename(dest)
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                raise DestinationError(
                    f"destination {dest} is no longer empty",
                    hint="something wrote to it meanwhile; choose another",
                ) from exc
            raise DestinationError(f"cannot create {dest}: {exc.strerror or exc}") from exc
    return written


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def add_files_atomically(repo: Path, tree: RenderedTree, extra: dict[str, str]) -> list[str]:
    """Add new files to an existing folder: refuses to overwrite any, undoes all on failure."""
    if not repo.is_dir():
        raise DestinationError(
            f"{repo} does not exist",
            hint="this golden path adds files to an existing repo: pass that repo's folder",
        )
    wanted = sorted([*tree, *extra])
    taken = [p for p in wanted if (repo / p).exists() or (repo / p).is_symlink()]
    if taken:
        raise DestinationError(
            f"{repo} already has {', '.join(taken[:5])}" + (" ..." if len(taken) > 5 else ""),
            hint="nothing was written; choose other answers (for example another name)",
        )
    created: list[Path] = []
    try:
        for relpath in wanted:
            target = repo / relpath
            missing = [
                p
                for p in [target.parent, *target.parent.parents]
                if not p.exists() and repo in p.parents
            ]
            target.parent.mkdir(parents=True, exist_ok=True)
            created.extend(reversed(missing))
            if relpath in tree:
                target.write_bytes(tree[relpath].content)
                target.chmod(tree[relpath].mode)
            else:
                target.write_text(extra[relpath], encoding="utf-8")
            created.append(target)
    except BaseException:
        for path in reversed(created):
            with contextlib.suppress(OSError):
                path.unlink() if path.is_file() else path.rmdir()
        raise
    return wanted


def replace_file_atomically(path: Path, text: str) -> None:
    """Write ``path`` in one step (a reader sees the old file or the new one, never half)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        tmp = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            tmp.chmod(0o666 & ~_umask())
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise DestinationError(f"cannot write {path}: {exc.strerror or exc}") from exc
