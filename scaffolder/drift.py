"""Template drift: every file of a repo classified against its base and target renders.

``base`` is what the recorded version renders with the recorded answers, ``ours`` is the repo,
``theirs`` is what the target version renders. The class of a file says what an upgrade would
do with it, and whether a difference is a deliberate local edit or the template moving on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from scaffolder.limits import current
from scaffolder.origin import AnswerProblem, Origin, TargetPlan, target_plan
from scaffolder.repofiles import read_repo_file
from scaffolder.templatefiles import within


class FileStatus(StrEnum):
    """How one file relates to the golden path (docs/guides/diff.md explains each)."""

    UNCHANGED = "unchanged"  # the repo has what the target renders
    MODIFIED = "modified"  # deliberate local edit; the template did not change the file
    OUTDATED = "outdated"  # the template changed, the repo did not: an upgrade applies cleanly
    CONFLICTING = "conflicting"  # both changed it (or both added it, differently)
    DELETED = "deleted"  # the golden path has it; the repo deleted it
    ADDED = "added"  # new in the target version; the repo does not have it yet
    REMOVED = "removed"  # the target version no longer has it; the repo still does
    # Differences that are not drift (docs/guides/cookiecutter.md):
    INCOMPLETE = "incomplete"  # an untrusted template's hooks, which did not run, name it
    GENERATED = "generated"  # marked as generated per repo (a hook's random secret)


NOT_COMPARED = frozenset({FileStatus.INCOMPLETE, FileStatus.GENERATED})
DRIFT = frozenset(FileStatus) - {FileStatus.UNCHANGED} - NOT_COMPARED


@dataclass(frozen=True)
class FileDrift:
    path: str
    status: FileStatus
    base: bytes | None
    ours: bytes | None
    theirs: bytes | None
    locally_modified: bool = False  # for REMOVED: the repo's copy differs from the base


@dataclass
class RepoDrift:
    """The drift of one repo: its origin, the versions compared and every file's class."""

    repo: Path
    golden_path: str
    version: str
    target_version: str
    files: list[FileDrift] = field(default_factory=list)
    answer_problems: list[AnswerProblem] = field(default_factory=list)
    dropped_answers: list[str] = field(default_factory=list)
    recorded: bool = True
    version_time: int = 0  # commit time of an untagged recorded version (orders it)
    # False when the target version could not be rendered (answers it needs are missing or
    # invalid): ``files`` then compare the repo with its own version only.
    compared: bool = True

    def summary(self) -> dict[str, int]:
        counts = Counter(f.status.value for f in self.files)
        return {s.value: counts.get(s.value, 0) for s in FileStatus}

    @property
    def drifted(self) -> list[FileDrift]:
        return [f for f in self.files if f.status in DRIFT]

    @property
    def not_compared(self) -> list[FileDrift]:
        """Files that differ for a reason that is not drift (hooks not run, per-repo)."""
        return [f for f in self.files if f.status in NOT_COMPARED]

    @property
    def has_drift(self) -> bool:
        return bool(self.drifted or self.answer_problems)


def classify(
    base: Mapping[str, bytes], ours: Mapping[str, bytes | None], theirs: Mapping[str, bytes] | None
) -> list[FileDrift]:
    """Classify every path the base or target renders; ``ours`` maps them to repo bytes."""
    target = base if theirs is None else theirs
    out = []
    for path in sorted(set(base) | set(target)):
        b, o, t = base.get(path), ours.get(path), target.get(path)
        status: FileStatus | None
        modified = False
        if t is None:  # the target does not render it
            if o is None:
                continue  # gone on both sides
            modified = b is not None and o != b
            status = FileStatus.REMOVED
        elif o is None:
            status = FileStatus.DELETED if b is not None else FileStatus.ADDED
        elif o == t:
            status = FileStatus.UNCHANGED
        elif b is None:
            status = FileStatus.CONFLICTING  # added by both sides, differently
        elif o == b:
            status = FileStatus.OUTDATED
        elif t == b:
            status = FileStatus.MODIFIED
        else:
            status = FileStatus.CONFLICTING
        out.append(FileDrift(path, status, b, o, t, modified))
    return out


def read_repo_files(repo: Path, paths: set[str]) -> dict[str, bytes | None]:
    """The repo's bytes for each path (None where the file does not exist); a symlink inside
    the repo reads as its target path, as a template with ``_preserve_symlinks`` renders it."""
    # A FIFO, device or outside symlink is an error for this repo, never opened.
    limits = current()
    return {path: _link_text(repo, path) or read_repo_file(repo, path, limits) for path in paths}


def _link_text(repo: Path, path: str) -> bytes | None:
    link = repo / path
    if not link.is_symlink() or not within(link, repo):
        return None  # not a link; or one leading out, which read_repo_file refuses
    return str(link.readlink()).encode()


def repo_drift(
    origin: Origin,
    target_version: str | None = None,
    *,
    data: Mapping[str, Any] | None = None,
    target: TargetPlan | None = None,
) -> RepoDrift:
    """Compare a repo with its base render and the target version's render."""
    from scaffolder.drift_scope import scope_of  # it classifies with this module's classes

    base_plan = origin.base_plan()
    at = origin.repo.resolve()
    base = base_plan.render(at.name, at).contents()
    target = target or target_plan(origin, target_version, data=data)
    theirs = target.plan.render(at.name, at).contents() if target.plan else None
    ours = read_repo_files(origin.repo, set(base) | set(theirs or {}))
    version = (
        target.plan.version.version
        if target.plan
        else origin.target_version(target_version).version
    )
    return RepoDrift(
        repo=origin.repo,
        golden_path=origin.golden_path.name,
        version=origin.record.version,
        target_version=version,
        files=scope_of(origin, base_plan, target.plan).reclassify(classify(base, ours, theirs)),
        answer_problems=list(target.problems),
        dropped_answers=list(target.dropped),
        recorded=origin.recorded,
        version_time=_untagged_time(origin),
        compared=target.plan is not None,
    )


def _untagged_time(origin: Origin) -> int:
    """The commit time of a recorded version that is an untagged commit of a git template."""
    version = origin.golden_path.version(origin.record.version)
    if version.source is None or version.commit is None or version.ref is not None:
        return 0
    return version.source.commit_time(version.commit)
