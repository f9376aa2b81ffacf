"""Differences that are not drift: files made per repo, and files untrusted hooks would touch.

Two kinds of file differ between a repo and its template's render for a reason that is
neither a local edit nor the template moving on (issue 16, docs/guides/cookiecutter.md):

- **generated per repo**: a hook writes a random secret, so every repo holds different bytes.
  A platform team lists such paths in golden-path.yml (``generated_per_repo:``), a user in the
  settings file, per template URL or URL prefix::

      generated_per_repo:
        https://github.com/acme/cookiecutter-django: [".envs/**", "config/settings/local.py"]

- **incomplete, hooks not run**: an untrusted template's hooks are skipped, so the render lacks
  what they would have created, deleted or rewritten. The files the hooks name (a file or
  folder name in a string literal of a hook, for example ``os.remove("Dockerfile")``) cannot be
  compared until the template is trusted.

Both are reported in classes of their own, never as drift, and never fail a check.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

import pathspec

from scaffolder.drift import DRIFT, FileDrift, FileStatus
from scaffolder.errors import ScaffolderError
from scaffolder.generate import Plan
from scaffolder.origin import Origin
from scaffolder.render import PATTERN_STYLE
from scaffolder.trust import covers, load_settings, settings_path

SETTINGS_KEY = "generated_per_repo"
# A string literal in a hook's source: where hooks name the files they touch.
_LITERAL = re.compile(r"""(["'])([^"'\n{}]{1,200})\1""")


@dataclass(frozen=True)
class DriftScope:
    """Which differing paths are generated per repo, and which untrusted hooks name."""

    generated: tuple[str, ...] = ()  # gitignore-style patterns
    hook_names: frozenset[str] = frozenset()  # names the skipped hooks mention

    @functools.cached_property
    def _spec(self) -> pathspec.PathSpec[Any]:
        return pathspec.PathSpec.from_lines(PATTERN_STYLE, self.generated)

    def is_generated(self, path: str) -> bool:
        """Whether ``path`` is made per repo: an upgrade keeps the repo's bytes."""
        return bool(self.generated) and self._spec.match_file(path)

    def hooks_name(self, path: str) -> bool:
        """Whether the skipped hooks name ``path`` (its file name or a folder's)."""
        return bool(self.hook_names & set(PurePosixPath(path).parts))

    def reclassify(self, files: Sequence[FileDrift]) -> list[FileDrift]:
        """``files`` with drift on these paths moved to its own class."""
        out = []
        for f in files:
            status = self._status(f)
            out.append(f if status == f.status else replace(f, status=status))
        return out

    def _status(self, f: FileDrift) -> FileStatus:
        if f.status not in DRIFT:
            return f.status
        if self.is_generated(f.path):
            return FileStatus.GENERATED
        if self.hooks_name(f.path):
            return FileStatus.INCOMPLETE
        return f.status


def scope_of(origin: Origin, *plans: Plan | None) -> DriftScope:
    """The scope of a comparison of ``origin``'s repo with ``plans`` (base and target)."""
    gp = origin.golden_path
    generated = gp.generated + settings_generated(gp.src_path)
    names: set[str] = set()
    for plan in plans:
        if plan is not None:
            names |= skipped_hook_names(plan)
    return DriftScope(generated, frozenset(names))


def settings_generated(location: str) -> tuple[str, ...]:
    """The settings file's ``generated_per_repo`` patterns for a template location."""
    path = settings_path()
    entries = load_settings(path).get(SETTINGS_KEY) or {}
    if not isinstance(entries, dict):
        raise ScaffolderError(
            f"{path}: {SETTINGS_KEY} must map template URLs to lists of paths",
            hint="see docs/guides/cookiecutter.md, 'Files generated per repo'",
        )
    found: list[str] = []
    for entry, patterns in entries.items():
        if covers(str(entry), location):
            found += [str(p) for p in (patterns or [])]
    return tuple(found)


def skipped_hook_names(plan: Plan) -> frozenset[str]:
    """File and folder names the hooks a render skipped mention (none when hooks ran)."""
    from scaffolder.cookiecutter_engine import CookiecutterRenderer

    renderer = plan.renderer
    if not isinstance(renderer, CookiecutterRenderer) or not renderer.skipped_hooks:
        return frozenset()
    hooks = renderer.config.root / "hooks"
    return _names_in(tuple(hooks / name for name in renderer.skipped_hooks))


@functools.cache
def _names_in(hooks: tuple[Path, ...]) -> frozenset[str]:
    names: set[str] = set()
    for hook in hooks:
        text = hook.read_text(encoding="utf-8", errors="replace")
        names |= set(_path_parts(m.group(2) for m in _LITERAL.finditer(text)))
    return frozenset(names)


def _path_parts(literals: Iterable[str]) -> Iterable[str]:
    for literal in literals:
        for part in PurePosixPath(literal.strip()).parts:
            if part not in ("/", ".", "..") and not part.isspace():
                yield part
