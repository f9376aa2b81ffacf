"""The few git operations scaffolder needs, through the git command line."""

from __future__ import annotations

import os
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
    for key in ("name", "email"):
        var = f"GIT_AUTHOR_{key.upper()}"
        if os.environ.get(var):
            continue
        try:
            run_git(repo, ["config", "--get", f"user.{key}"])
        except GitError:
            env[var] = env[f"GIT_COMMITTER_{key.upper()}"] = _FALLBACK_IDENTITY[key]
    return env


def init_and_commit(repo: Path, message: str) -> str:
    """``git init`` (branch main), add everything, commit; returns the commit hash."""
    run_git(repo, ["init", "--quiet", "--initial-branch=main"])
    run_git(repo, ["add", "--all"])
    run_git(repo, ["commit", "--quiet", "--no-verify", "-m", message], env=_identity_env(repo))
    return run_git(repo, ["rev-parse", "HEAD"]).strip()


def commit_paths(repo: Path, paths: Sequence[str], message: str) -> str:
    """Stage and commit exactly ``paths`` (whatever else is staged stays staged)."""
    run_git(repo, ["add", "--", *paths])
    run_git(
        repo,
        ["commit", "--quiet", "--no-verify", "-m", message, "--", *paths],
        env=_identity_env(repo),
    )
    return run_git(repo, ["rev-parse", "HEAD"]).strip()
