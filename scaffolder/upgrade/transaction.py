"""Applying an upgrade plan as a transaction that can be continued or aborted exactly.

Before anything is written, the original bytes of every path the upgrade touches (and git's
index) are saved in a state folder: ``.git/scaffolder-upgrade/`` in a git repo,
``.scaffolder-upgrade/`` otherwise (that copy is the backup ``--allow-no-git`` promises).
A failure or Ctrl-C while writing restores them at once. With conflicts the state stays, the
upgrade is *in progress* (like a rebase), and ``--continue`` or ``--abort`` finishes it.
The recorded version changes only when the upgrade completes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scaffolder.errors import ProjectError, ScaffolderError
from scaffolder.git import git_executable, run_git
from scaffolder.upgrade.engine import UpgradePlan
from scaffolder.upgrade.textmerge import has_markers

STATE_NAME = "scaffolder-upgrade"


class UpgradeInProgress(ScaffolderError):
    """An earlier upgrade has not been continued or aborted."""


def is_git_repo(repo: Path) -> bool:
    return (repo / ".git").exists()


def state_dir(repo: Path) -> Path:
    if is_git_repo(repo):
        git_dir = Path(run_git(repo, ["rev-parse", "--git-dir"]).strip())
        return (git_dir if git_dir.is_absolute() else repo / git_dir) / STATE_NAME
    return repo / f".{STATE_NAME}"


def dirty_files(repo: Path) -> list[str]:
    out = run_git(repo, ["status", "--porcelain", "--untracked-files=normal"])
    return [line[3:] for line in out.splitlines() if line.strip()]


@dataclass
class State:
    """What an in-progress upgrade saved."""

    golden_path: str
    from_version: str
    to_version: str
    answers_file: str
    record_yaml: str
    conflicts: list[str]
    touched: list[str]  # every path the upgrade wrote or deleted
    existed: list[str]  # the touched paths that existed before (backed up)

    @classmethod
    def load(cls, repo: Path) -> State:
        path = state_dir(repo) / "state.json"
        if not path.is_file():
            raise ProjectError(
                f"no upgrade in progress in {repo}", hint="start one with `scaffolder upgrade`"
            )
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def _write(repo: Path, writes: Mapping[str, bytes | None]) -> None:
    for rel, content in writes.items():
        target = repo / rel
        if content is None:
            if target.exists() or target.is_symlink():
                target.unlink()
                _prune_empty_parents(repo, target.parent)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)


def _prune_empty_parents(repo: Path, folder: Path) -> None:
    while folder != repo and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _restore(repo: Path, state_path: Path, touched: list[str], existed: list[str]) -> None:
    backup = state_path / "backup"
    for rel in touched:
        target = repo / rel
        if rel in existed:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(backup / rel, target)
        elif target.exists():
            target.unlink()
            _prune_empty_parents(repo, target.parent)
    index_copy = state_path / "index"
    if index_copy.is_file() and is_git_repo(repo):
        shutil.copy2(index_copy, _index_path(repo))


def _index_path(repo: Path) -> Path:
    path = Path(run_git(repo, ["rev-parse", "--git-path", "index"]).strip())
    return path if path.is_absolute() else repo / path


def apply(plan: UpgradePlan) -> State | None:
    """Write the plan; returns the in-progress state when conflicts remain, else None."""
    repo = plan.repo
    sdir = state_dir(repo)
    if sdir.exists():
        raise UpgradeInProgress(
            f"an upgrade is already in progress in {repo}",
            hint="run `scaffolder upgrade --continue` or `--abort` first",
        )
    writes = dict(plan.writes)
    answers_path = plan.answers_file
    completes = not plan.conflicts
    if completes:
        writes[answers_path] = plan.record.serialize().encode()
    touched = sorted(writes)
    existed = [p for p in touched if (repo / p).exists()]
    (sdir / "backup").mkdir(parents=True)
    for rel in existed:
        (sdir / "backup" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / rel, sdir / "backup" / rel)
    if is_git_repo(repo) and _index_path(repo).is_file():
        shutil.copy2(_index_path(repo), sdir / "index")
    state = State(
        plan.origin.golden_path.name,
        plan.from_version,
        plan.to_version,
        answers_path,
        plan.record.serialize(),
        plan.conflicts,
        touched,
        existed,
    )
    (sdir / "state.json").write_text(json.dumps(state.__dict__, indent=2), encoding="utf-8")
    try:
        _write(repo, writes)
        if plan.conflicts and is_git_repo(repo):
            _register_conflicts(repo, plan)
    except BaseException:
        _restore(repo, sdir, touched, existed)
        shutil.rmtree(sdir, ignore_errors=True)
        raise
    if completes:
        shutil.rmtree(sdir)
        return None
    return state


def _register_conflicts(repo: Path, plan: UpgradePlan) -> None:
    """Put base/ours/theirs in index stages 1-3, as git does for a conflicted merge."""
    lines = []
    by_path = {c.path: c for c in plan.changes}
    for path in plan.conflicts:
        change = by_path.get(path)
        ours = change.before if change else (repo / path).read_bytes()
        lines.append(f"0 {'0' * 40}\t{path}")
        for stage, data in ((1, plan.base.get(path)), (2, ours), (3, plan.theirs.get(path))):
            if data is None:
                continue
            blob = subprocess.run(
                [git_executable(), "hash-object", "-w", "--stdin"],
                cwd=repo,
                input=data,
                capture_output=True,
                check=True,
            ).stdout.decode()
            lines.append(f"100644 {blob.strip()} {stage}\t{path}")
    subprocess.run(
        [git_executable(), "update-index", "--index-info"],
        cwd=repo,
        input="\n".join(lines) + "\n",
        text=True,
        check=True,
        capture_output=True,
    )


def unresolved(repo: Path, state: State) -> list[str]:
    return [
        p for p in state.conflicts if (repo / p).is_file() and has_markers((repo / p).read_bytes())
    ]


def continue_upgrade(repo: Path) -> State:
    """Finish an upgrade whose conflicts are resolved: record the new version."""
    state = State.load(repo)
    left = unresolved(repo, state)
    if left:
        raise ProjectError(
            "conflict markers remain in: " + ", ".join(left),
            hint="resolve them, then run `scaffolder upgrade --continue` again",
        )
    (repo / state.answers_file).write_text(state.record_yaml, encoding="utf-8")
    if is_git_repo(repo):
        present = [p for p in state.conflicts if (repo / p).exists()]
        gone = [p for p in state.conflicts if not (repo / p).exists()]
        if present:
            run_git(repo, ["add", "--", *present])
        if gone:
            run_git(repo, ["rm", "--cached", "--quiet", "--ignore-unmatch", "--", *gone])
    shutil.rmtree(state_dir(repo))
    return state


def abort_upgrade(repo: Path) -> State:
    """Put every touched file (and git's index) back exactly as before the upgrade."""
    state = State.load(repo)
    sdir = state_dir(repo)
    _restore(repo, sdir, state.touched, state.existed)
    shutil.rmtree(sdir)
    return state
