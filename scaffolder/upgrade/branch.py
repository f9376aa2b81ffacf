"""Where a pull request's upgrade branch starts, on a rerun after the default branch moved on.

``upgrade --push`` keeps one branch per golden-path version (``golden-path/<name>-<version>``)
and reruns build on the remote's copy of it, so a person's work there (a resolved conflict)
is kept. When the default branch has moved on since the branch was made, the upgrade is out
of date: it was merged three ways against files the repo no longer has, and the request
would show the old base. Then (issue 19):

- a branch that holds only scaffolder's own commits is rebuilt from the default branch's
  head, and pushed with ``--force-with-lease`` on the commit it replaces (a push that
  landed in between makes it fail instead of being lost);
- a branch that holds a commit someone else made is left alone: never force-pushed over,
  the repo is reported ``needs-rebase`` for that person to rebase or merge.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scaffolder.errors import ScaffolderError
from scaffolder.git import run_git

# The last line of every commit scaffolder's upgrade makes (scaffolder.upgrade.run).
COMMIT_MARK = "Made by scaffolder upgrade."


class NeedsRebase(ScaffolderError):
    """The request's branch is behind the default branch and holds someone else's commits."""


@dataclass(frozen=True)
class BranchStart:
    """Where the upgrade branch was pointed before the upgrade runs."""

    base_commit: str  # the default branch's head the request is measured against
    lease: str | None = None  # the remote branch's commit a rebuilt branch replaces
    rebuilt: bool = False


def default_head(repo: Path, start: str, remote: str) -> str:
    """The default branch's newest commit: the remote's, when the clone is only behind it."""
    local = run_git(repo, ["rev-parse", f"refs/heads/{start}"]).strip()
    tracking = f"refs/remotes/{remote}/{start}"
    try:
        run_git(repo, ["fetch", "--quiet", remote, f"+refs/heads/{start}:{tracking}"])
    except ScaffolderError:
        return local  # the remote has no such branch (yet)
    theirs = run_git(repo, ["rev-parse", tracking]).strip()
    return theirs if _is_ancestor(repo, local, theirs) else local


def prepare_branch(repo: Path, branch: str, start: str, remote: str) -> BranchStart:
    """Point ``branch`` where the upgrade should build on, before it runs.

    Raises :class:`NeedsRebase` when the remote's branch is behind the default branch and
    holds a commit scaffolder did not make.
    """
    head = default_head(repo, start, remote)
    if not run_git(repo, ["ls-remote", "--heads", remote, f"refs/heads/{branch}"]).strip():
        if not run_git(repo, ["branch", "--list", branch]).strip():
            _point(repo, branch, head)  # a new branch starts at the default branch's head
        return BranchStart(head)
    tracking = f"refs/remotes/{remote}/{branch}"
    run_git(repo, ["fetch", "--quiet", remote, f"+refs/heads/{branch}:{tracking}"])
    remote_commit = run_git(repo, ["rev-parse", tracking]).strip()
    if _is_ancestor(repo, head, remote_commit):  # up to date with the default branch
        _point(repo, branch, remote_commit)
        return BranchStart(head)
    added = [c for c in _commits(repo, head, remote_commit) if not c.ours]
    if added:
        shown = ", ".join(f"{c.sha[:8]} ({c.author})" for c in added[:3])
        more = f" and {len(added) - 3} more" if len(added) > 3 else ""
        raise NeedsRebase(
            f"{branch} is behind {start} and holds commits scaffolder did not make: "
            f"{shown}{more}; rebase or merge {start} into it (scaffolder never force-pushes "
            "over them), then rerun"
        )
    _point(repo, branch, head)
    return BranchStart(head, lease=remote_commit, rebuilt=True)


@dataclass(frozen=True)
class _Commit:
    sha: str
    author: str
    ours: bool


def _commits(repo: Path, base: str, tip: str) -> list[_Commit]:
    """The commits of ``tip`` that ``base`` lacks, each marked ours (scaffolder's) or not."""
    out = run_git(repo, ["log", "--format=%H%x1f%an%x1f%B%x1e", f"{base}..{tip}"])
    commits = []
    for record in out.split("\x1e"):
        if not record.strip():
            continue
        sha, author, body = record.strip("\n").split("\x1f", 2)
        lines = body.strip().splitlines()
        commits.append(_Commit(sha, author, bool(lines) and lines[-1].strip() == COMMIT_MARK))
    return commits


def _is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    try:
        run_git(repo, ["merge-base", "--is-ancestor", ancestor, descendant])
    except ScaffolderError:
        return False
    return True


def _point(repo: Path, branch: str, commit: str) -> None:
    current = run_git(repo, ["rev-parse", "--abbrev-ref", "HEAD"]).strip()
    if current == branch:
        run_git(repo, ["reset", "--quiet", "--hard", commit])
    else:
        run_git(repo, ["branch", "--quiet", "--force", branch, commit])
