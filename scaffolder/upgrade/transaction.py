"""Applying an upgrade plan as a transaction that can be continued or aborted exactly.

Before anything is written, the original bytes of every path the upgrade touches (and git's
index) are saved in a state folder: ``.git/scaffolder-upgrade/`` in a git repo,
``.scaffolder-upgrade/`` otherwise (that copy is the backup ``--allow-no-git`` promises).
A failure or Ctrl-C while writing restores them at once. With conflicts the state stays, the
upgrade is *in progress* (like a rebase), and ``--continue`` or ``--abort`` finishes it.
The recorded version changes only when the upgrade completes.

Crash safety (kill -9, ENOSPC, Ctrl-C at any instant): ``state.json`` is written atomically
(temporary file, fsync, rename) *before* the backup starts and again at each phase change:
``backup`` (the repo is untouched; ``--abort`` just removes the state), ``writing`` (the backup
is complete; ``--abort`` restores it), ``conflicts`` (in progress, like a rebase). A state
folder without ``state.json`` was left before anything was written and ``--abort`` removes it.
A finished state is renamed away before it is deleted, so a kill then leaves nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from scaffolder.errors import ProjectError, ScaffolderError
from scaffolder.git import git_dir, git_executable, index_path, run_git
from scaffolder.safepath import inside, write_file, write_symlink
from scaffolder.staging import write_failed
from scaffolder.upgrade.engine import UpgradePlan
from scaffolder.upgrade.links import LinkTarget
from scaffolder.upgrade.lock import upgrade_lock
from scaffolder.upgrade.textmerge import has_markers

STATE_NAME = "scaffolder-upgrade"


PHASE_BACKUP = "backup"  # saving originals; the repo is untouched
PHASE_WRITING = "writing"  # the backup is complete; the repo is being written
PHASE_CONFLICTS = "conflicts"  # written; conflicts wait for --continue or --abort
PHASE_DONE = "done"  # complete; only the state folder is left to remove


class UpgradeInProgress(ScaffolderError):
    """An earlier upgrade has not been continued or aborted."""


class InterruptedUpgrade(UpgradeInProgress):
    """An upgrade was killed before its conflicts stage; only ``--abort`` applies."""


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_state(sdir: Path) -> None:
    """Rename the state folder away, then delete it: a kill in between leaves no state."""
    if not sdir.exists():
        return
    trash = sdir.with_name(f"{sdir.name}.trash-{os.getpid()}")
    sdir.rename(trash)
    shutil.rmtree(trash, ignore_errors=True)


def remove_trash(sdir: Path) -> None:
    """Finish deleting state folders that killed runs had renamed away."""
    for leftover in sdir.parent.glob(f"{sdir.name}.trash-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def clear_finished(repo: Path) -> None:
    """Remove the state of an upgrade that completed but was killed while cleaning up."""
    sdir = state_dir(repo)
    remove_trash(sdir)
    if (sdir / "state.json").is_file():
        with contextlib.suppress(ScaffolderError):
            if State.load(repo).phase == PHASE_DONE:
                remove_state(sdir)


@contextlib.contextmanager
def locked(repo: Path) -> Iterator[None]:
    """Hold the repo's upgrade lock (:mod:`scaffolder.upgrade.lock`) and tidy finished state."""
    sdir = state_dir(repo)
    with upgrade_lock(repo, sdir):
        clear_finished(repo)
        yield


def in_progress_error(repo: Path) -> UpgradeInProgress:
    """The error for a repo whose state folder exists, saying which command applies."""
    try:
        state = State.load(repo)
    except ScaffolderError as exc:
        return exc if isinstance(exc, UpgradeInProgress) else UpgradeInProgress(exc.message)
    if state.phase == PHASE_CONFLICTS:
        return UpgradeInProgress(
            f"an upgrade is already in progress in {repo}",
            hint="resolve it and run `scaffolder upgrade --continue`, or `--abort`",
        )
    return InterruptedUpgrade(
        f"an upgrade of {repo} to {state.golden_path} {state.to_version} was interrupted",
        hint="run `scaffolder upgrade --abort` to put the repo back exactly, then upgrade again",
    )


def is_git_repo(repo: Path) -> bool:
    return (repo / ".git").exists()


def state_dir(repo: Path) -> Path:
    if is_git_repo(repo):
        return git_dir(repo) / STATE_NAME
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

    phase: str = PHASE_CONFLICTS

    @classmethod
    def load(cls, repo: Path) -> State:
        sdir = state_dir(repo)
        path = sdir / "state.json"
        if not path.is_file():
            if sdir.exists():
                raise InterruptedUpgrade(
                    f"an upgrade of {repo} was interrupted before it changed anything",
                    hint="run `scaffolder upgrade --abort` to clear its state, then upgrade again",
                )
            raise ProjectError(
                f"no upgrade in progress in {repo}", hint="start one with `scaffolder upgrade`"
            )
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            raise ProjectError(f"{path} is not a valid upgrade state: {exc}") from exc

    def save(self, sdir: Path) -> None:
        """Replace ``state.json`` atomically: a reader sees the old record or the new one."""
        tmp = sdir / "state.json.tmp"
        with tmp.open("w", encoding="utf-8") as handle:
            json.dump(self.__dict__, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(sdir / "state.json")
        _fsync_dir(sdir)


def _write(repo: Path, writes: Mapping[str, bytes | None]) -> None:
    for rel, content in writes.items():
        target = inside(repo, rel)
        if content is None:
            if target.exists() or target.is_symlink():
                target.unlink()
                _prune_empty_parents(repo, target.parent)
        elif isinstance(content, LinkTarget):  # copier's _preserve_symlinks: it stays a link
            write_symlink(repo, rel, content.decode())
        else:
            mode = target.stat().st_mode & 0o7777 if target.is_file() else None
            write_file(repo, rel, content, mode)


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
            if target.is_symlink():
                target.unlink()  # a link is put back as the link it was, not followed
            shutil.copy2(backup / rel, target, follow_symlinks=False)
        elif target.exists() or target.is_symlink():
            target.unlink()
            _prune_empty_parents(repo, target.parent)
    index_copy = state_path / "index"
    if index_copy.is_file() and is_git_repo(repo):
        shutil.copy2(index_copy, index_path(repo))


def apply(plan: UpgradePlan) -> State | None:
    """Write the plan; returns the in-progress state when conflicts remain, else None."""
    repo = plan.repo
    sdir = state_dir(repo)
    if sdir.exists():
        raise in_progress_error(repo)
    writes = dict(plan.writes)
    answers_path = plan.answers_file
    completes = not plan.conflicts
    record_yaml = plan.record.serialize()  # PyYAML's emitter is slow: once, not twice
    if completes:
        writes[answers_path] = record_yaml.encode()
    touched = sorted(writes)
    existed = [p for p in touched if (repo / p).exists() or (repo / p).is_symlink()]
    state = State(
        plan.origin.golden_path.name,
        plan.from_version,
        plan.to_version,
        answers_path,
        record_yaml,
        plan.conflicts,
        touched,
        existed,
        PHASE_BACKUP,
    )
    try:
        sdir.mkdir(parents=True)
    except FileExistsError:  # another run got there first (the lock normally prevents it)
        raise in_progress_error(repo) from None
    except OSError as exc:
        raise write_failed(repo, exc) from exc
    try:
        state.save(sdir)  # before the backup: any interruption from here on is recognised
        _back_up(repo, sdir, existed)
        state.phase = PHASE_WRITING
        state.save(sdir)
    except BaseException as exc:
        remove_state(sdir)  # the repo is untouched
        if isinstance(exc, OSError) and exc.errno is not None:
            raise write_failed(repo, exc) from exc
        raise
    try:
        _write(repo, writes)
        if plan.conflicts and is_git_repo(repo):
            _register_conflicts(repo, plan)
        state.phase = PHASE_DONE if completes else PHASE_CONFLICTS
        state.save(sdir)
    except BaseException as exc:
        _restore(repo, sdir, touched, existed)
        remove_state(sdir)
        if isinstance(exc, OSError) and exc.errno is not None:
            raise write_failed(repo, exc) from exc
        raise
    if completes:
        remove_state(sdir)
        return None
    return state


def _back_up(repo: Path, sdir: Path, existed: list[str]) -> None:
    backup = sdir / "backup"
    backup.mkdir()
    for rel in existed:
        (backup / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / rel, backup / rel, follow_symlinks=False)
    if is_git_repo(repo) and index_path(repo).is_file():
        shutil.copy2(index_path(repo), sdir / "index")


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
    if state.phase != PHASE_CONFLICTS:
        raise in_progress_error(repo)
    left = unresolved(repo, state)
    if left:
        raise ProjectError(
            "conflict markers remain in: " + ", ".join(left),
            hint="resolve them, then run `scaffolder upgrade --continue` again",
        )
    _finish(repo, state)
    return state


def keep_conflicts(repo: Path) -> State:
    """Finish an upgrade stopped on conflicts as it stands: the markers stay in the files and
    the new version is recorded, for a pull request whose reviewer resolves them (issue 19)."""
    state = State.load(repo)
    if state.phase != PHASE_CONFLICTS:
        raise in_progress_error(repo)
    _finish(repo, state)
    return state


def _finish(repo: Path, state: State) -> None:
    """Record the new version, mark the conflicted paths resolved in git, drop the state."""
    (repo / state.answers_file).write_text(state.record_yaml, encoding="utf-8")
    if is_git_repo(repo):
        present = [p for p in state.conflicts if (repo / p).exists()]
        gone = [p for p in state.conflicts if not (repo / p).exists()]
        if present:
            run_git(repo, ["add", "--", *present])
        if gone:
            run_git(repo, ["rm", "--cached", "--quiet", "--ignore-unmatch", "--", *gone])
    remove_state(state_dir(repo))


def abort_upgrade(repo: Path) -> State | None:
    """Put every touched file (and git's index) back exactly as before the upgrade."""
    sdir = state_dir(repo)
    try:
        state = State.load(repo)
    except InterruptedUpgrade:
        remove_state(sdir)  # killed before state.json: nothing was written
        return None
    if state.phase in (PHASE_WRITING, PHASE_CONFLICTS):  # the backup is complete
        _restore(repo, sdir, state.touched, state.existed)
    remove_state(sdir)
    return state
