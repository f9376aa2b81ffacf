"""Drift timings: `scaffolder diff` on one repo, `scaffolder audit` of 500 repos, and
`cruft diff` on an equivalent fleet of cookiecutter-generated repos, measured in one run.

Targets (issue: diff and audit): `scaffolder diff` on one service repo at most 1.0 s whole
process; `scaffolder audit` of 500 service repos at most 60 s on this 2-core machine and at
least 8x faster than `cruft diff` over the equivalent fleet.

The cruft fleet holds the same files and answers: the same generated repos, each with the
`.cruft.json` cruft writes, pointing at a cookiecutter twin of service 1.0.0 that renders the
same files (checked: `cruft diff --exit-code` is clean on an unedited repo). cruft has no fleet
mode, so `cruft diff` runs once per repo, two at a time (one per core, as audit uses); by
default on a sample of the fleet, scaled to 500 and labelled as such (`--cruft-sample 500`
runs all of them).

Run: `make bench` (or `.venv/bin/python bench/bench_audit.py`).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml
from common import ROOT, commit_all, machine, median, time_command, tool
from cookiecutter_twin import build_twin, cruft_json
from fleet import make_fleet

from scaffolder.catalog import load_catalog
from scaffolder.generate import plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repos", type=int, default=500)
    parser.add_argument("--cruft-sample", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    repos = make_fleet(work / "ours", args.repos, all_environments=True)

    # Two renders per repo (base 1.0.0, target 1.1.0): the usual shape of a drift check.
    diff_times = time_command(
        [tool("scaffolder"), "diff", str(repos[1]), "--against", "1.1.0", "--format", "json"],
        runs=args.runs,
        check=False,
    )
    start = time.perf_counter()
    subprocess.run(
        [tool("scaffolder"), "audit", str(work / "ours"), "--against", "1.1.0", "--format", "json"],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    audit_time = time.perf_counter() - start

    twin = build_twin(ROOT / "templates/service/1.0.0", work / "twin")
    catalog = load_catalog()
    sample = repos[: args.cruft_sample]
    cruft_repos = []
    for repo in sample:
        copy = work / "cruft" / repo.name
        shutil.copytree(repo, copy)
        (copy / ".copier-answers.yml").unlink()
        recorded = plan(
            catalog,
            "service",
            version="1.0.0",
            data={
                k: v
                for k, v in yaml.safe_load((repo / ".copier-answers.yml").read_text()).items()
                if not k.startswith("_")
            },
        )
        (copy / ".cruft.json").write_text(cruft_json(twin, recorded.answers.context))
        commit_all(copy)
        cruft_repos.append(copy)
    check = subprocess.run(
        [tool("cruft"), "diff", "--exit-code"],
        cwd=cruft_repos[0],
        capture_output=True,
        text=True,
        check=False,
    )

    def cruft_diff(repo: Path) -> None:
        subprocess.run(
            [tool("cruft"), "diff"],
            cwd=repo,
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(cruft_diff, cruft_repos))
    cruft_sample_time = time.perf_counter() - start
    cruft_fleet = cruft_sample_time * args.repos / len(cruft_repos)

    # The very same cruft repos, audited by scaffolder straight from their .cruft.json
    # (cookiecutter engine, the twin's git commit as base and target).
    start = time.perf_counter()
    same = subprocess.run(
        [tool("scaffolder"), "audit", str(work / "cruft"), "--format", "json"],
        check=False,
        capture_output=True,
        text=True,
    )
    same_time = time.perf_counter() - start
    same_errors = same.stdout.count('"error": "')

    print(f"machine: {machine()}")
    print(
        f"scaffolder diff, one repo: median {median(diff_times):.3f} s of {args.runs} "
        f"(target <= 1.0 s) -> {'met' if median(diff_times) <= 1.0 else 'MISSED'}"
    )
    print(
        f"scaffolder audit, {args.repos} repos: {audit_time:.1f} s (target <= 60 s) -> "
        f"{'met' if audit_time <= 60 else 'MISSED'}"
    )
    scaled = (
        ""
        if len(cruft_repos) == args.repos
        else (f", scaled from {len(cruft_repos)} repos measured in {cruft_sample_time:.1f} s")
    )
    print(f"cruft diff, {args.repos} equivalent repos, 2 at a time: {cruft_fleet:.1f} s{scaled}")
    print(f"  (twin check: `cruft diff --exit-code` on an unedited repo exited {check.returncode})")
    print(
        f"scaffolder audit of those same {len(cruft_repos)} cruft repos (.cruft.json, "
        f"cookiecutter engine): {same_time:.1f} s vs cruft diff {cruft_sample_time:.1f} s -> "
        f"{cruft_sample_time / same_time:.1f}x faster ({same_errors} repos with errors)"
    )
    ratio = cruft_fleet / audit_time
    print(
        f"audit is {ratio:.1f}x faster than cruft diff (target >= 8x) -> "
        f"{'met' if ratio >= 8 else 'MISSED'}"
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
