"""Upgrade timings: `scaffolder upgrade` against `copier update`, and a fleet of 100 repos.

Targets (issue: upgrade): one service repo with local edits upgrades in at most 0.5x the time
of `copier update` on the same template versions and edits, with the same resulting files
wherever copier's result has no conflict; a fleet upgrade of 100 repos in at most 60 s.

copier needs the template in git with versions as tags, so the run builds one from
templates/service/1.0.0 and 1.1.0. Both tools start from a repo generated at 1.0.0 with the
same answers, get the same local edits, and upgrade to 1.1.0.

Run: `make bench` (or `.venv/bin/python bench/bench_upgrade.py`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from common import (
    COPIER_ANSWERS,
    commit_all,
    copier_copy,
    git,
    machine,
    median,
    service_template_repo,
    tool,
)
from fleet import make_fleet

ANSWERS = {"name": "payments", "owner": "payments-team"}


def template_repo(work: Path) -> Path:
    """The service golden path as a git repo with tags v1.0.0 and v1.1.0, for copier."""
    return service_template_repo(work / "service-template", COPIER_ANSWERS)


def local_edits(repo: Path) -> None:
    """Edits a team would make: a README title, a comment in code, a manifest value."""
    readme = repo / "README.md"
    readme.write_text(readme.read_text().replace("# payments", "# payments (payments team)", 1))
    with (repo / "src/payments/config.py").open("a") as f:
        f.write("\n# Local: read the port from the platform's env injection.\n")
    deployment = repo / "deploy/base/deployment.yaml"
    deployment.write_text(
        deployment.read_text().replace(
            "terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds: 45"
        )
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "local edits")


def copier_repo(work: Path, template: Path, name: str) -> Path:
    dest = copier_copy(template, work / name, ANSWERS)
    local_edits(dest)
    return dest


def scaffolder_repo(work: Path, name: str) -> Path:
    dest = work / name
    data = [a for k, v in ANSWERS.items() for a in ("--data", f"{k}={v}")]
    subprocess.run(
        [
            tool("scaffolder"),
            "new",
            "service",
            str(dest),
            "--version",
            "1.0.0",
            "--defaults",
            *data,
        ],
        check=True,
        capture_output=True,
    )
    local_edits(dest)
    return dest


def files(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in repo.rglob("*")
        if p.is_file()
        and ".git" not in p.relative_to(repo).parts
        and p.name != ".copier-answers.yml"
    }


def timed(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=False, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fleet", type=int, default=100)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-upgrade-"))
    template = template_repo(work)
    ours_times, theirs_times = [], []
    for i in range(args.runs):
        theirs = copier_repo(work, template, f"copier-{i}")
        ours = scaffolder_repo(work, f"scaffolder-{i}")
        theirs_times.append(
            timed(
                [
                    tool("copier"),
                    "update",
                    "--quiet",
                    "--defaults",
                    "--vcs-ref",
                    "v1.1.0",
                    "--conflict",
                    "inline",
                ],
                theirs,
            )
        )
        ours_times.append(timed([tool("scaffolder"), "upgrade", "--to", "1.1.0"], ours))
    # Same files wherever copier's result has no conflict markers.
    a, b = files(ours), files(theirs)
    conflicted = {p for p, data in b.items() if b"<<<<<<< " in data}
    differing = sorted(p for p in set(a) | set(b) - conflicted if a.get(p) != b.get(p))
    print(f"machine: {machine()}")
    print(f"single repo (service 1.0.0 -> 1.1.0, local edits), median of {args.runs}:")
    print(f"  scaffolder upgrade  {median(ours_times):7.3f} s")
    print(f"  copier update       {median(theirs_times):7.3f} s")
    ratio = median(ours_times) / median(theirs_times)
    print(f"  ratio {ratio:.2f} (target <= 0.5) -> {'met' if ratio <= 0.5 else 'MISSED'}")
    print(
        f"  copier conflicts: {len(conflicted)}; files that differ elsewhere: {differing or 'none'}"
    )

    fleet_root = work / "fleet"
    repos = make_fleet(fleet_root, args.fleet, version="1.0.0")
    for repo in repos:
        commit_all(repo)
    listing = work / "fleet.txt"
    listing.write_text("\n".join(str(r) for r in repos) + "\n")
    start = time.perf_counter()
    result = subprocess.run(
        [
            tool("scaffolder"),
            "upgrade",
            "--fleet",
            str(listing),
            "--branch",
            "golden-path/1.1.0",
            "--to",
            "1.1.0",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    summary = json.loads(result.stdout)["summary"] if result.stdout else result.stderr[-300:]
    print(
        f"fleet upgrade of {args.fleet} repos on branches: {elapsed:.1f} s "
        f"(target <= 60 s) -> {'met' if elapsed <= 60 else 'MISSED'}; {summary}"
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
