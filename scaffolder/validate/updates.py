"""Immutable-field changes between two states of a repo, as a cluster would apply them.

The objects of each state are built the way ``validate --platform`` builds a service (every
leaf kustomize overlay, keyed by its environment, and the plain manifests): the same object
in the same environment before and after is an update, which the API server refuses when it
changes an immutable field (:mod:`scaffolder.validate.builtin.immutable`). ``upgrade``
compares the repo before and after the merge; ``validate --since REF`` the repo at a git ref
and its working tree.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scaffolder.errors import AnswerError, ProjectError
from scaffolder.git import GitError, run_git
from scaffolder.project import NOT_CONTENT
from scaffolder.validate.builtin.immutable import immutable_changes
from scaffolder.validate.contract import NO_ENV, Obj, build_objects
from scaffolder.validate.findings import Finding


@dataclass(frozen=True)
class Comparison:
    """What changing the cluster from one state of a repo to the other would be refused."""

    findings: list[Finding]
    # Overlays that did not build on either side: their objects were not compared.
    before_problems: list[str] = dataclasses.field(default_factory=list)
    after_problems: list[str] = dataclasses.field(default_factory=list)


def changes(before: Mapping[str, list[Obj]], after: Mapping[str, list[Obj]]) -> list[Finding]:
    """Every immutable field an object of ``after`` changes from ``before``, environment by
    environment (each overlay is applied to its own cluster)."""
    found = []
    for env in sorted(after):
        for finding in immutable_changes(before.get(env, []), after[env]):
            where = f"{finding.object} ({env})" if env != NO_ENV else finding.object
            found.append(dataclasses.replace(finding, object=where))
    return found


def compare(before_root: Path, after_root: Path) -> Comparison:
    """Build both trees and compare them."""
    before, before_problems = build_objects(before_root)
    after, after_problems = build_objects(after_root)
    return Comparison(changes(before, after), before_problems, after_problems)


@contextmanager
def tree_with(repo: Path, writes: Mapping[str, bytes | None]) -> Iterator[Path]:
    """A temporary copy of ``repo``'s files with ``writes`` applied (None deletes a file)."""
    with tempfile.TemporaryDirectory(prefix="scaffolder-after-") as tmp:
        out = Path(tmp) / (repo.resolve().name or "repo")
        shutil.copytree(repo, out, symlinks=True, ignore=shutil.ignore_patterns(*NOT_CONTENT))
        for rel, content in writes.items():
            target = out / rel
            if content is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
        yield out


@contextmanager
def tree_at(repo: Path, ref: str) -> Iterator[Path | None]:
    """The files of ``repo`` (a git work tree, or a folder in one) at ``ref``, checked out
    into a temporary folder; None when the folder did not exist at ``ref``."""
    try:
        top = Path(run_git(repo, ["rev-parse", "--show-toplevel"]).strip())
        prefix = run_git(repo, ["rev-parse", "--show-prefix"]).strip().rstrip("/")
    except GitError:
        raise ProjectError(
            f"{repo} is not in a git repository, so there is no {ref!r} to compare with",
            hint="run it in a git clone, or leave out --since",
        ) from None
    try:
        commit = run_git(top, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"]).strip()
    except GitError:
        raise AnswerError(
            f"--since {ref}: no such branch, tag or commit in {top}",
            hint="name one that exists; a shallow CI clone needs it fetched first"
            f" (git fetch --depth=1 origin {ref})",
        ) from None
    with tempfile.TemporaryDirectory(prefix="scaffolder-since-") as tmp:
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        try:
            run_git(top, ["read-tree", f"{commit}:{prefix}" if prefix else commit], env=index)
        except GitError:
            yield None  # the folder is new since ref: nothing was applied before
            return
        out = Path(tmp) / (repo.resolve().name or "repo")
        out.mkdir()
        run_git(top, ["--work-tree", str(out), "checkout-index", "--all"], env=index)
        yield out


def since(repo: Path, ref: str) -> Comparison:
    """The working tree of ``repo`` against its state at git ``ref`` (``validate --since``)."""
    with tree_at(repo, ref) as before_root:
        if before_root is None:
            return Comparison([])
        return compare(before_root, repo)
