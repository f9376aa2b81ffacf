"""Running cookiecutter's ``generate_files`` for scaffolder: where, and with what output.

- the project folder is put where scaffolder says (``project_at``), so hooks run in the
  repo's own folder for ``new`` and in one named like the repo for diff, upgrade and audit;
- a render made in a temporary folder puts the repo's path where hooks recorded theirs
  (:class:`TempRender`), so a hook that records its path gives the repo's bytes;
- what hooks print is kept in a file (``captured_output``), never on stdout, and off stderr
  during comparisons;
- an uninstalled Jinja extension names the package to install (``missing_extension``).

See docs/guides/cookiecutter.md, "Hooks and paths" (issue 16).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scaffolder import DISTRIBUTION
from scaffolder.errors import TemplateError
from scaffolder.render import RenderedTree


@dataclass(frozen=True)
class TempRender:
    """A render made in a temporary folder, and which files recorded that folder's path."""

    tree: RenderedTree
    at: str  # the project folder the hooks ran in ("" when no hook could see it)
    holders: frozenset[str]  # the files whose bytes hold ``at``

    def moved_to(self, destination: str) -> RenderedTree:
        """The tree as the hooks would have left it had they run at ``destination``."""
        if not destination or not self.holders or destination == self.at:
            return self.tree
        old, new = self.at.encode(), destination.encode()
        files = {
            path: replace(f, content=f.content.replace(old, new)) if path in self.holders else f
            for path, f in self.tree.items()
        }
        return RenderedTree(files, self.tree.messages)


@contextlib.contextmanager
def project_at(project: Path | None) -> Iterator[None]:
    """Make ``generate_files`` put the project folder at ``project``, not at the folder name
    the template renders, so hooks run where the repo is (or will be).

    cookiecutter has no option for it: its ``render_and_create_dir`` is wrapped for this call
    (the caller holds the engine's process-wide lock). Only the first call names the project
    folder (a name relative to the output folder); the others create folders inside it by
    absolute path.
    """
    if project is None:
        yield
        return
    import cookiecutter.generate as generate_module

    original = generate_module.render_and_create_dir

    def create(dirname: str, *args: Any, **kwargs: Any) -> tuple[Path, bool]:
        if Path(dirname).is_absolute():
            made: tuple[Path, bool] = original(dirname, *args, **kwargs)
            return made
        project.mkdir(parents=True, exist_ok=True)
        return project, False  # never cookiecutter's to delete: the caller cleans up

    generate_module.render_and_create_dir = create
    try:
        yield
    finally:
        generate_module.render_and_create_dir = original


# Extensions cookiecutter templates commonly name, by module, and the package that holds them.
EXTENSION_PACKAGES = {
    "jinja2_time": "jinja2-time",
    "jinja2_strcase": "jinja2-strcase",
    "jinja2_ansible_filters": "jinja2-ansible-filters",
    "jinja2_humanize_extension": "jinja2-humanize-extension",
    "jinja_markdown": "jinja-markdown",
    "arrow": "arrow",  # what jinja2_time itself imports
}


@contextlib.contextmanager
def missing_extension(origin: str) -> Iterator[None]:
    """A template's ``_extensions`` naming a module that is not installed: the package to add."""
    from cookiecutter.exceptions import UnknownExtension

    try:
        yield
    except UnknownExtension as exc:
        cause = exc.__cause__
        module = (getattr(cause, "name", None) or str(cause or exc)).split(".")[0]
        package = EXTENSION_PACKAGES.get(module, module.replace("_", "-"))
        raise TemplateError(
            f"template {origin} needs the Jinja extension module {module!r}, which is not"
            f" installed",
            hint=f"install the package that provides it (likely `{package}`) where scaffolder"
            f" runs: `{Path(sys.executable).name} -m pip install {package}`, or `pipx inject"
            f" {DISTRIBUTION} {package}`",
        ) from exc


@contextlib.contextmanager
def captured_output(path: Path, fds: tuple[int, ...]) -> Iterator[Path]:
    """What hooks print on ``fds`` (1: stdout, 2: stderr), kept in ``path``.

    stdout is for machine output (``--json``), and diff or audit render a template many times:
    the output is shown once, as the template's message after ``new``, or in the error when a
    hook fails. Hooks are processes, so the file descriptors themselves are redirected.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    with path.open("wb") as sink, contextlib.ExitStack() as stack:
        for fd in fds:
            try:
                saved = os.dup(fd)
            except OSError:  # no such stream at all
                continue
            os.dup2(sink.fileno(), fd)
            stack.callback(os.close, saved)
            stack.callback(os.dup2, saved, fd)
            stack.callback(sys.stderr.flush if fd == 2 else sys.stdout.flush)
        yield path
