"""Shared helpers of the benchmark scripts: timing whole processes and describing the machine."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A console script from this interpreter's environment (the project venv)."""
    path = BIN / name
    if not path.exists():
        found = shutil.which(name)
        if found is None:
            sys.exit(f"{name} is not installed; run `make install` first")
        return found
    return str(path)


def time_command(
    argv: Sequence[str],
    *,
    runs: int,
    setup: Callable[[int], None] | None = None,
    cwd: Path | None = None,
    check: bool = True,
) -> list[float]:
    """Wall-clock seconds of ``runs`` whole-process runs (after one warm-up run)."""
    times = []
    for i in range(-1, runs):
        if setup:
            setup(i)
        start = time.perf_counter()
        subprocess.run(
            list(argv),
            check=check,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        if i >= 0:
            times.append(time.perf_counter() - start)
    return times


# A fixed identity and no user configuration: the bench machine may have neither.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "PATH": "/usr/bin:/bin",
}


def git(repo: Path, *args: str) -> None:
    """Run git in ``repo`` (quietly; a failure stops the bench)."""
    subprocess.run(
        ["git", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        env={**GIT_ENV, "HOME": str(repo)},
    )


def commit_all(repo: Path, message: str = "generated") -> None:
    """Make the folder ``repo`` a git repo (branch main) whose first commit holds all of it."""
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


# copier writes its answers file only where a template renders one.
COPIER_ANSWERS = {"{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n"}


def service_template_repo(path: Path, files: Mapping[str, str]) -> Path:
    """The built-in ``service`` golden path, 1.0.0 and 1.1.0, as a git repo at ``path`` with
    tags v1.0.0 and v1.1.0 (what copier and ``--template`` read), each version with ``files``
    added under ``template/``."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    for version in ("1.0.0", "1.1.0"):
        for child in path.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        shutil.copytree(ROOT / "templates/service" / version, path, dirs_exist_ok=True)
        for name, text in files.items():
            (path / "template" / name).write_text(text)
        # copytree keeps the files' times, and a file of the same size and time as the one
        # before looks unchanged to git's index: v1.1.0 lacked catalog-info.yaml's version
        # bump. Emptying the index makes git read every file.
        git(path, "rm", "-r", "-q", "--cached", "--ignore-unmatch", ".")
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", version)
        git(path, "tag", f"v{version}")
    return path


def copier_copy(
    template: Path,
    dest: Path,
    answers: Mapping[str, str],
    *,
    ref: str = "v1.0.0",
    options: Sequence[str] = (),
) -> Path:
    """``copier copy --defaults`` of ``template`` at ``ref`` with ``answers`` into ``dest``,
    committed as a new repo's first commit (``copier update`` works on a git repo)."""
    data = [arg for key, value in answers.items() for arg in ("--data", f"{key}={value}")]
    copy = [tool("copier"), "copy", "--quiet", "--defaults", "--vcs-ref", ref, *options]
    subprocess.run(
        [*copy, *data, str(template), str(dest)],
        check=True,
        capture_output=True,
    )
    commit_all(dest)
    return dest


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
