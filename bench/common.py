"""Shared helpers of the benchmark scripts: timing whole processes and describing the machine."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
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
