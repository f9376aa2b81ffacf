"""Reading a template's own files, and nothing else: no host file through a symlink, no FIFO.

A template folder is untrusted input. A symlink in it is followed only when its target
resolves inside the template's own folder (the version root), the way copier copies a link's
content when ``_preserve_symlinks`` is off; a link leading outside it is refused, as are
symlink loops, FIFOs, sockets and devices (reading them would hang or leak host data), and
files over the ``file_bytes`` limit (a 2 GB sparse file would be read whole).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from scaffolder.errors import TemplateError
from scaffolder.limits import active_budget, check_file_size

_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def special_kind(mode: int) -> str | None:
    """``a FIFO``, ``a socket``... for a file that is neither regular nor a folder."""
    return _KINDS.get(stat.S_IFMT(mode))


def within(path: Path | str, root: Path | str) -> bool:
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _outside(path: Path, root: Path, origin: str) -> TemplateError:
    return TemplateError(
        f"template {origin} has a symlink {path.relative_to(root)} -> {path.readlink()} "
        "that leads outside the template's folder",
        hint="a template may only link to its own files; replace the link with the file",
    )


def regular_file(path: Path, root: Path, origin: str) -> os.stat_result:
    """``stat`` of a template file that is safe to read, or a :class:`TemplateError`."""
    if path.is_symlink() and not within(path, root):
        raise _outside(path, root, origin)
    try:
        info = path.stat()
    except OSError as exc:
        raise TemplateError(f"template {origin}: cannot read {path}: {exc.strerror}") from exc
    kind = special_kind(info.st_mode)
    if kind is not None or not stat.S_ISREG(info.st_mode):
        raise TemplateError(
            f"template {origin}: {path.relative_to(root)} is {kind or 'not a regular file'}",
            hint="templates hold regular files only; remove it from the template",
        )
    check_file_size(path, info.st_size)
    return info


class TemplateWalk:
    """``os.walk`` of a template folder following only symlinks that stay inside ``root``."""

    def __init__(self, base: Path, root: Path, origin: str) -> None:
        self.base, self.root, self.origin = base, root, origin

    def __iter__(self) -> Iterator[tuple[str, list[str], list[str]]]:
        if not within(self.base, self.root):  # copier's _subdirectory: ../../etc
            raise TemplateError(
                f"template {self.origin}: its files folder {self.base} is outside the template",
                hint="_subdirectory must name a folder inside the template",
            )
        for dirpath, dirnames, filenames in os.walk(self.base, followlinks=True):
            real = os.path.realpath(dirpath)
            for name in dirnames:
                path = Path(dirpath) / name
                if not path.is_symlink():
                    continue
                if not within(path, self.root):
                    raise _outside(path, self.root, self.origin)
                if within(real, path):  # it points at one of its own parents
                    raise TemplateError(
                        f"template {self.origin}: a symlink loop at {path.relative_to(self.root)}",
                        hint="remove the folder symlink that points at its own parent",
                    )
            yield dirpath, dirnames, filenames

    def regular_file(self, path: Path) -> os.stat_result:
        return regular_file(path, self.root, self.origin)


def template_walk(base: Path, root: Path, *, origin: str) -> TemplateWalk:
    return TemplateWalk(base, root, origin)


def read_template_file(path: Path) -> bytes:
    """The bytes of a file already checked by :func:`regular_file`, size-checked again."""
    with path.open("rb") as handle:
        info = os.fstat(handle.fileno())
        check_file_size(path, info.st_size)
        return handle.read()


def charge(size: int) -> None:
    """Charge copied (not rendered) bytes to the active render budget."""
    budget = active_budget()
    if budget is not None:
        budget.charge(size)


class GuardedLoader(FileSystemLoader):
    """A ``FileSystemLoader`` that loads (``include``, ``import``) only the template's own files."""

    def __init__(self, searchpath: str | os.PathLike[str] | list[str], root: Path) -> None:
        super().__init__(searchpath)
        self.root = root

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        for base in self.searchpath:
            candidate = Path(base, *template.split("/"))
            if candidate.exists() or candidate.is_symlink():
                regular_file(candidate, self.root, str(self.root))
                break
        return super().get_source(environment, template)
