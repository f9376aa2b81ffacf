"""The git facts scaffolder reads from the git folder itself give git's own answers.

A fleet upgrade asks for the git folder, the index, the branch and the commit several times a
repo (scaffolder.git); each is checked here against what git prints, in the states a repo can
be in: on a branch, detached, with packed refs, with a branch name other refs share, before
the first commit, as a worktree, and with GIT_DIR set.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from scaffolder.git import (
    _identity_env,
    current_branch,
    git_dir,
    head_commit,
    index_path,
    run_git,
)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


def resolved(repo: Path, printed: str) -> Path:
    path = Path(printed)
    return (path if path.is_absolute() else repo / path).resolve()


def truth(repo: Path) -> tuple[Path, Path, str, str]:
    return (
        resolved(repo, git(repo, "rev-parse", "--git-dir")),
        resolved(repo, git(repo, "rev-parse", "--git-path", "index")),
        git(repo, "rev-parse", "--abbrev-ref", "HEAD"),
        git(repo, "rev-parse", "HEAD"),
    )


def ours(repo: Path) -> tuple[Path, Path, str, str]:
    return (
        git_dir(repo).resolve(),
        index_path(repo).resolve(),
        current_branch(repo),
        head_commit(repo),
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "a.txt").write_text("a\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    return repo


def _detached(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")


def _packed(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "golden-path/service-1.1.0")
    git(repo, "pack-refs", "--all")


def _tag_of_the_same_name(repo: Path) -> None:
    git(repo, "tag", "main")


def _remote_branch_of_the_same_name(repo: Path) -> None:
    git(repo, "update-ref", "refs/remotes/main", "HEAD")


def _second_commit(repo: Path) -> None:
    (repo / "b.txt").write_text("b\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "second")


@pytest.mark.parametrize(
    "change",
    [
        lambda repo: None,
        _detached,
        _packed,
        _tag_of_the_same_name,
        _remote_branch_of_the_same_name,
        _second_commit,
    ],
    ids=["branch", "detached", "packed", "tag-named-alike", "remote-named-alike", "commit"],
)
def test_read_as_git_reads_it(repo: Path, change: Callable[[Path], None]) -> None:
    change(repo)
    assert ours(repo) == truth(repo)


def test_a_worktree_and_git_dir_from_the_environment(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    worktree = tmp_path / "worktree"
    git(repo, "worktree", "add", "-q", "-b", "other", str(worktree))
    assert (worktree / ".git").is_file()
    assert ours(worktree) == truth(worktree)
    monkeypatch.setenv("GIT_DIR", str(repo / ".git"))
    assert ours(repo) == truth(repo)


def test_before_the_first_commit_git_has_its_say(tmp_path: Path) -> None:
    repo = tmp_path / "empty"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    assert git_dir(repo).resolve() == (repo / ".git").resolve()
    with pytest.raises(Exception, match="rev-parse --abbrev-ref HEAD failed"):
        current_branch(repo)
    with pytest.raises(Exception, match="rev-parse HEAD failed"):
        head_commit(repo)


@pytest.mark.parametrize("configured", [(), ("name",), ("email",), ("name", "email")])
def test_identity_falls_back_only_for_what_is_not_configured(
    repo: Path, monkeypatch: pytest.MonkeyPatch, configured: tuple[str, ...]
) -> None:
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var)
    for key in configured:
        run_git(repo, ["config", f"user.{key}", f"configured {key}"])
    env = _identity_env(repo)
    missing = {"name", "email"} - set(configured)
    assert {k for k in env if k.startswith("GIT_AUTHOR_")} == {
        f"GIT_AUTHOR_{key.upper()}" for key in missing
    }
    assert {k for k in env if k.startswith("GIT_COMMITTER_")} == {
        f"GIT_COMMITTER_{key.upper()}" for key in missing
    }


def test_a_plain_repo_is_read_without_starting_git(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _packed(repo)
    expected = truth(repo)

    def no_git(*args: object, **kwargs: object) -> str:
        raise AssertionError("git was started")

    monkeypatch.setattr("scaffolder.git.run_git", no_git)
    assert ours(repo) == expected
