"""Symlinks in an upgrade: copier's ``_preserve_symlinks`` renders links, and they stay links.

A link's content is its target path (:class:`scaffolder.render.RenderedFile`, and the repo's
links as :func:`scaffolder.drift.read_repo_files` reads them). It is merged as a whole, with
its kind: a side that turns a file into a link (or back) changed it. Where both sides changed
it differently there is nothing to merge line by line and no marker a link could hold, so the
repo's stays, with a note naming the template's. The merged link is written through
:func:`scaffolder.safepath.write_symlink`, which refuses one leading outside the repo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from scaffolder.render import RenderedTree

# A link's value while merging: its kind travels with its target path.
_MARK = b"\0symlink\0"
Merge = Callable[
    [str, bytes | None, bytes | None, bytes | None, tuple[str, str, str]],
    tuple[str, bytes | None, str],
]


class LinkTarget(bytes):
    """A merged path's content that is a symlink's target: the upgrade writes a symlink."""


@dataclass(frozen=True)
class Links:
    """Which paths are symlinks in the base render, the repo and the target render."""

    base: frozenset[str] = frozenset()
    ours: frozenset[str] = frozenset()
    theirs: frozenset[str] = frozenset()

    def __contains__(self, path: object) -> bool:
        return path in self.base or path in self.ours or path in self.theirs


def tree_links(tree: RenderedTree) -> frozenset[str]:
    return frozenset(path for path, rendered in tree.items() if rendered.symlink)


def repo_links(repo: Path, paths: Iterable[str]) -> frozenset[str]:
    return frozenset(path for path in paths if (repo / path).is_symlink())


def merge_link(
    path: str,
    values: tuple[bytes | None, bytes | None, bytes | None],
    links: Links,
    labels: tuple[str, str, str],
    merge: Merge,
) -> tuple[str, bytes | None, str]:
    """(action, content, note) for a path that is a link on some side; content that is a link
    is a :class:`LinkTarget`. ``merge`` decides as for any file one side left as it was."""
    base, ours, theirs = (
        None if value is None else (_MARK + value if path in side else value)
        for value, side in zip(values, (links.base, links.ours, links.theirs), strict=True)
    )
    if ours is not None and theirs is not None and ours not in (theirs, base) and theirs != base:
        what = (
            "a symlink to " + theirs.removeprefix(_MARK).decode() if _is_link(theirs) else "a file"
        )
        kept = values[1] if path not in links.ours or values[1] is None else LinkTarget(values[1])
        return "same", kept, f"changed on both sides; kept yours ({labels[2]} has {what})"
    action, content, note = merge(path, base, ours, theirs, labels)
    if action == "conflict":  # removed by the template, changed here: a link cannot hold markers
        action = "same"
    if content is None or not _is_link(content):
        return action, content, note
    return action, LinkTarget(content.removeprefix(_MARK)), note


def _is_link(value: bytes) -> bool:
    return value.startswith(_MARK)
