"""kill -9 at random instants of `new` and `upgrade`, and what must hold afterwards.

Used by tests/security/test_kill.py (a few runs on a small repo in the default suite, the full
size under the ``slow`` marker) and by bench/bench_kill.py. The whole process group is killed
(scaffolder and any git it started), as an OOM kill or a power cut would.

After a killed `new`: the destination does not exist, or it is complete (every file, the
first commit); the staging folder a kill leaves is removed by the next run in that parent.
After a killed `upgrade`: the repo is untouched, or the upgrade is complete, or an upgrade
state is left that `upgrade --abort` turns back into exactly the original repo.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scaffolder.staging import remove_stale_staging
from tests.helpers import build_file_tree
from tests.security.hostile import fingerprint

COPIER_YML = "_subdirectory: template\nname:\n  type: str\n"


def big_catalog(root: Path, files: int) -> Path:
    """Golden path ``big``: ``files`` templated files at 1.0.0; 1.1.0 changes every one."""
    gp = root / "templates" / "big"
    build_file_tree(gp, {"golden-path.yml": "title: Big\ndescription: many files\n"})
    for version, extra in (("1.0.0", ""), ("1.1.0", "changed in 1.1.0\n")):
        folder = gp / version / "template"
        for i in range(files):
            path = folder / f"d{i // 100:03d}" / f"f{i:05d}.txt.jinja"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{{{{ name }}}} file {i}\n{extra}")
        (gp / version / "copier.yml").write_text(COPIER_YML)
    return root


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def tree(root: Path) -> str:
    """The working tree's fingerprint (without .git, whose index git may refresh)."""
    saved = root / ".git"
    moved = root.with_name(root.name + ".git-aside")
    saved.rename(moved)
    try:
        return fingerprint(root)
    finally:
        moved.rename(saved)


def _kill_at(
    args: list[str], delay: float, started: Callable[[], bool] | None = None
) -> int | None:
    """Run ``scaffolder ARGS`` and kill its process group ``delay`` s after it starts (or after
    ``started()`` first holds: the state or staging folder exists); its exit code if it
    finished first, else None."""
    proc = subprocess.Popen(
        ["scaffolder", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    while started is not None and proc.poll() is None and not started():
        time.sleep(0.002)
    try:
        return proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return None


def _moment(rng: random.Random, full_run: float, run: int) -> tuple[float, bool]:
    """Even runs: anywhere in the run; odd runs: soon after the writing starts."""
    if run % 2 == 0:
        return rng.uniform(0, full_run), False
    return rng.uniform(0, full_run / 3), True


def _timed(args: list[str]) -> float:
    started = time.monotonic()
    subprocess.run(["scaffolder", *args], check=True, capture_output=True)
    return time.monotonic() - started


@dataclass
class Report:
    """What the runs found: outcome counts, and every broken invariant."""

    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    full_run: float = 0.0


def kill_new(catalog: Path, work: Path, runs: int, rng: random.Random) -> Report:
    report = Report()
    reference = work / "reference"
    args = ["new", "big", "--catalog", str(catalog), "-dname=svc"]
    report.full_run = _timed([*args[:2], str(reference), *args[2:]])
    expected = tree(reference)
    for run in range(runs):
        parent = work / f"run{run}"  # its own parent: staging folders are told apart
        parent.mkdir()
        dest = parent / "dest"
        delay, wait = _moment(rng, report.full_run, run)
        staged = lambda p=parent: any(".scaffolder-" in c.name for c in p.iterdir())  # noqa: E731
        code = _kill_at([*args[:2], str(dest), *args[2:]], delay, staged if wait else None)
        if not dest.exists():
            report.outcomes["nothing"] += 1
        elif (dest / ".git").is_dir() and tree(dest) == expected and code in (0, None):
            if _git(dest, "status", "--porcelain").strip():
                report.failures.append(f"new run {run}: {dest} is not committed")
            report.outcomes["complete"] += 1
        else:
            report.failures.append(f"new run {run}: {dest} is half-written (exit {code})")
        leftovers = [p for p in parent.iterdir() if ".scaffolder-" in p.name]
        report.outcomes["staging folders left by kills"] += len(leftovers)
        for folder in leftovers:
            os.utime(folder, (0, 0))  # past the grace period a live run has to lock its folder
        if leftovers and report.outcomes["cleaned by the next run"] == 0:
            subprocess.run(  # the next run in that parent removes them
                ["scaffolder", *args[:2], str(parent / "next"), *args[2:], "--no-git"],
                check=True,
                capture_output=True,
            )
            report.outcomes["cleaned by the next run"] += len(leftovers)
        else:  # what that run does first, without rendering 5,000 files again
            report.outcomes["cleaned by the next run"] += len(remove_stale_staging(parent))
        stale = [p.name for p in parent.iterdir() if ".scaffolder-" in p.name]
        if stale:
            report.failures.append(f"new run {run}: stale staging folders stay: {stale}")
    return report


def kill_upgrade(catalog: Path, work: Path, runs: int, rng: random.Random) -> Report:
    report = Report()
    repo = work / "repo"
    subprocess.run(
        [
            "scaffolder",
            "new",
            "big",
            str(repo),
            "--catalog",
            str(catalog),
            "-dname=svc",
            "--version=1.0.0",
        ],
        check=True,
        capture_output=True,
    )
    original = tree(repo)
    args = ["upgrade", str(repo), "--catalog", str(catalog), "--to", "1.1.0"]
    report.full_run = _timed(args)
    upgraded = tree(repo)
    if upgraded == original:
        report.failures.append("the uninterrupted upgrade changed nothing: no test")
    _reset(repo)
    state = repo / ".git" / "scaffolder-upgrade"
    for run in range(runs):
        delay, wait = _moment(rng, report.full_run, run)
        code = _kill_at(args, delay, state.exists if wait else None)
        now = tree(repo)
        if state.exists():
            abort = subprocess.run(
                ["scaffolder", *args[:2], "--abort"], capture_output=True, check=False
            )
            if abort.returncode == 0 and tree(repo) == original:
                report.outcomes["aborted to the original"] += 1
            elif abort.returncode == 1 and now == upgraded and b"no upgrade in" in abort.stderr:
                report.outcomes["complete (state cleared)"] += 1
            else:
                report.failures.append(
                    f"upgrade run {run}: --abort exit {abort.returncode}: "
                    f"{abort.stderr.decode().strip()}"
                )
        elif now == original:
            report.outcomes["untouched"] += 1
        elif now == upgraded and code in (0, None):
            report.outcomes["complete"] += 1
        else:
            report.failures.append(f"upgrade run {run}: half-written repo without state")
        leftovers = [p.name for p in (repo / ".git").iterdir() if "scaffolder-upgrade" in p.name]
        if leftovers and not state.exists():
            report.outcomes["trash/lock left (removed by the next run)"] += 1
        _reset(repo)
        if tree(repo) != original:
            report.failures.append(f"upgrade run {run}: could not reset the repo")
            break
    return report


def _reset(repo: Path) -> None:
    """Back to the generated state for the next run (a completed upgrade is not committed)."""
    state = repo / ".git" / "scaffolder-upgrade"
    if state.exists():
        shutil.rmtree(state)
    _git(repo, "checkout", "--quiet", "--", ".")
    _git(repo, "clean", "--quiet", "-fd")
