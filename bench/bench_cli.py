"""Whole-process timings of the CLI, with copier measured in the same run.

Targets (issue: foundation): `scaffolder --help` <= 0.20 s; `scaffolder new service --defaults`
no slower than `copier copy` of the same template with the same answers (ratio <= 1.0).

Run: `make bench` (or `.venv/bin/python bench/bench_cli.py --runs 15`).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from common import ROOT, machine, median, time_command, tool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    scaffolder, copier = tool("scaffolder"), tool("copier")
    template = ROOT / "templates/service/1.0.0"
    work = Path(tempfile.mkdtemp(prefix="bench-cli-"))

    results = {
        "scaffolder --help": time_command([scaffolder, "--help"], runs=args.runs),
        "scaffolder new service --version 1.0.0 --defaults": time_command(
            [
                scaffolder,
                "new",
                "service",
                "out",
                "--version",
                "1.0.0",
                "--defaults",
                "--data",
                "name=payments",
            ],
            runs=args.runs,
            cwd=work,
            setup=lambda i: shutil.rmtree(work / "out", ignore_errors=True),
        ),
        "scaffolder new service --version 1.0.0 --defaults --no-git": time_command(
            [
                scaffolder,
                "new",
                "service",
                "out",
                "--version",
                "1.0.0",
                "--defaults",
                "--data",
                "name=payments",
                "--no-git",
            ],
            runs=args.runs,
            cwd=work,
            setup=lambda i: shutil.rmtree(work / "out", ignore_errors=True),
        ),
        "copier copy (same template, same answers)": time_command(
            [
                copier,
                "copy",
                "--quiet",
                "--defaults",
                "--data",
                "name=payments",
                str(template),
                "out",
            ],
            runs=args.runs,
            cwd=work,
            setup=lambda i: shutil.rmtree(work / "out", ignore_errors=True),
        ),
    }
    shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {machine()}")
    print(f"runs: {args.runs} (median of whole-process wall time, after one warm-up)")
    for name, times in results.items():
        print(f"  {name:48s} {median(times):7.3f} s   (min {min(times):.3f}, max {max(times):.3f})")
    new = median(results["scaffolder new service --version 1.0.0 --defaults"])
    copier_time = median(results["copier copy (same template, same answers)"])
    help_time = median(results["scaffolder --help"])
    print(f"help target <= 0.200 s: {help_time:.3f} s -> {'met' if help_time <= 0.2 else 'MISSED'}")
    ratio = new / copier_time
    print(
        f"new / copier copy ratio (target <= 1.0, ours includes git init + first commit): "
        f"{ratio:.2f} -> {'met' if ratio <= 1.0 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
