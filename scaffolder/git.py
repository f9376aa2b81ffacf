"""The few git operations scaffolder needs, through the git command line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from scaffolder.errors import ScaffolderError, ToolMissingError

# Used only when the user has no identity configured (CI machines, fresh containers), so the
# first commit never fails for a reason unrelated to the golden path.
_FALLBACK_IDENTITY = {"name": "scaffolder", "email": "scaffolder@localhost"}


class GitError(ScaffolderError):
    """A git command failed."""


def git_executable() -> str:
    exe = shutil.which("git")
    if exe is None:
        raise ToolMissingError(
            "git is not installed", hint="install git, or pass --no-git to skip the first commit"
        )
    return exe


def run_git(repo: Path, args: Sequence[str], *, env: dict[str, str] | None = None) -> str:
    """Run git in ``repo``; raise :class:`GitError` with git's own message on failure."""
    result = subprocess.run(
        [git_executable(), *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise GitError(f"git {' '.join(args)} failed: {message[-1] if message else 'no output'}")
    return result.stdout


def _identity_env(repo: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    wanted = [key for key in ("name", "email") if not os.environ.get(f"GIT_AUTHOR_{key.upper()}")]
    if not wanted:
        return env
    try:  # one git call for both keys (a fleet upgrade commits in every repo)
        listed = run_git(repo, ["config", "--get-regexp", r"^user\.(name|email)$"])
    except GitError:  # neither is set
        listed = ""
    configured = {line.split(" ", 1)[0] for line in listed.splitlines()}
    for key in wanted:
        if f"user.{key}" not in configured:
            var = f"GIT_AUTHOR_{key.upper()}"
            env[var] = env[f"GIT_COMMITTER_{key.upper()}"] = _FALLBACK_IDENTITY[key]
    return env


# Where git reads these, the answers below come from git itself: a repo reached through them
# (or a worktree, whose `.git` is a file) is asked with a git command.
_LOCATION_VARS = ("GIT_DIR", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE")
_OBJECT_NAME = re.compile(r"^([0-9a-f]{40}|[0-9a-f]{64})$")


def _plain_git_dir(repo: Path) -> Path | None:
    """``repo/.git`` when git itself would use that folder as it is, else None.

    A fleet upgrade asks where the git folder, the index, the branch and the commit are
    several times a repo; reading them where git keeps them saves a process each time.
    """
    if any(var in os.environ for var in _LOCATION_VARS):
        return None
    dot = repo / ".git"
    if not dot.is_dir() or (dot / "reftable").exists():
        return None
    return dot


def git_dir(repo: Path) -> Path:
    """The repo's git folder (``git rev-parse --git-dir``, resolved from ``repo``)."""
    plain = _plain_git_dir(repo)
    if plain is not None:
        return plain
    found = Path(run_git(repo, ["rev-parse", "--git-dir"]).strip())
    return found if found.is_absolute() else repo / found


def index_path(repo: Path) -> Path:
    """The repo's index file (``git rev-parse --git-path index``, resolved from ``repo``)."""
    plain = _plain_git_dir(repo)
    if plain is not None:
        return plain / "index"
    found = Path(run_git(repo, ["rev-parse", "--git-path", "index"]).strip())
    return found if found.is_absolute() else repo / found


def _read_ref(git: Path, ref: str) -> str | None:
    """The object a ref names, from its loose file or ``packed-refs`` (None: not found)."""
    try:
        loose = (git / ref).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        loose = None
    if loose is not None:
        return loose if _OBJECT_NAME.match(loose) else None
    try:
        packed = (git / "packed-refs").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for line in packed.splitlines():
        name, _, rest = line.partition(" ")
        if rest == ref and _OBJECT_NAME.match(name):
            return name
    return None


def _head_ref(git: Path) -> str | None:
    """The branch ref HEAD points at (``refs/heads/...``), None when it is anything else."""
    try:
        head = (git / "HEAD").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not head.startswith("ref: refs/heads/") or not head.endswith("\n"):
        return None
    ref = head[len("ref: ") : -1]
    return ref if ref.strip() == ref else None


def current_branch(repo: Path) -> str:
    """``git rev-parse --abbrev-ref HEAD``: the branch checked out, or ``HEAD`` when detached.

    Read from the git folder when HEAD names an existing branch whose short name no other
    ref shares (git would then print ``heads/NAME``); anything else is left to git.
    """
    plain = _plain_git_dir(repo)
    ref = _head_ref(plain) if plain is not None else None
    if plain is not None and ref is not None and _read_ref(plain, ref) is not None:
        name = ref.removeprefix("refs/heads/")
        rivals = (name, f"refs/{name}", f"refs/tags/{name}", f"refs/remotes/{name}")
        if not any((plain / r).exists() or _read_ref(plain, r) for r in rivals) and not (
            (plain / f"refs/remotes/{name}/HEAD").exists()
            or _read_ref(plain, f"refs/remotes/{name}/HEAD")
        ):
            return name
    return run_git(repo, ["rev-parse", "--abbrev-ref", "HEAD"]).strip()


def head_commit(repo: Path) -> str:
    """``git rev-parse HEAD``: the commit checked out (read from the git folder when plain)."""
    plain = _plain_git_dir(repo)
    ref = _head_ref(plain) if plain is not None else None
    found = _read_ref(plain, ref) if plain is not None and ref is not None else None
    return found or run_git(repo, ["rev-parse", "HEAD"]).strip()


def init_and_commit(repo: Path, message: str) -> str:
    """``git init`` (branch main), add everything, commit; returns the commit hash."""
    run_git(repo, ["init", "--quiet", "--initial-branch=main"])
    run_git(repo, ["add", "--all"])
    run_git(repo, ["commit", "--quiet", "--no-verify", "-m", message], env=_identity_env(repo))
    return head_commit(repo)


def commit_paths(repo: Path, paths: Sequence[str], message: str) -> str:
    """Stage and commit exactly ``paths`` (whatever else is staged stays staged)."""
    run_git(repo, ["add", "--", *paths])
    run_git(
        repo,
        ["commit", "--quiet", "--no-verify", "-m", message, "--", *paths],
        env=_identity_env(repo),
    )
    return head_commit(repo)
