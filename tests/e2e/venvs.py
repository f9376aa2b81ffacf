"""Cached virtualenvs for running generated repos' own tests.

One venv per distinct set of requirement files, kept in .cache/e2e/ of the checkout and
created under a file lock, so parallel workers and repeated runs install each set once.
"""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
import sys
import venv
from pathlib import Path

from tests.helpers import REPO_ROOT

CACHE = REPO_ROOT / ".cache" / "e2e"


def venv_for(repo: Path, requirement_files: tuple[str, ...] = ("requirements-dev.txt",)) -> Path:
    """A venv with the repo's requirements installed; returns its bin folder."""
    digest = hashlib.sha256()
    for name in sorted(p.name for p in repo.glob("requirements*.txt")):
        digest.update(name.encode() + (repo / name).read_bytes())
    target = CACHE / f"venv-{digest.hexdigest()[:16]}"
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".complete").exists():
            venv.create(target, with_pip=True, clear=True)
            for req in requirement_files:
                subprocess.run(
                    [
                        str(target / "bin" / "python"),
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                        "-r",
                        req,
                    ],
                    cwd=repo,
                    check=True,
                )
            (target / ".complete").touch()
    return target / "bin"


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(cwd)},
    )
