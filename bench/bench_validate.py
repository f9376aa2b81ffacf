"""`scaffolder validate` of the largest generated cluster baseline, before and after the
API-server layers (CEL rules of CRDs, built-in validation), measured in one run.

Target (issue: validate rejects what the API server would reject): at most 1.5x the time of
`validate` before those layers. "Before" is the scaffolder package of BASE_COMMIT (the commit
this work started from), extracted with `git archive`; "after" is this checkout. Both run as
whole processes, against the same repo and the same CRD folder ($SCAFFOLDER_CRD_DIR, or
../shared/crds beside the checkout).

`--part platform` measures `validate SERVICE --platform BASELINE` instead: before
(PLATFORM_BASE_COMMIT) the baseline was read twice, its YAML scanned for admission policies
and then built with kustomize for the contract; after, the admission check takes the
contract side's built objects.

Run: `make bench` (or `.venv/bin/python bench/bench_validate.py [--part layers|platform]`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from common import ROOT, machine, median, time_command

from scaffolder.catalog import load_catalog
from scaffolder.generate import generate, plan

# In one process (CRDs loaded once): validate_repo with the new layers switched off and on,
# alternating, so the machine's load hits both alike; medians in seconds.
WARM = """
import statistics, sys, time
from pathlib import Path
from scaffolder.validate import crd_cel, runner
repo, runs = Path(sys.argv[1]), int(sys.argv[2])
on = (runner._check_builtin, crd_cel.violations)
off = (lambda *args, **kwargs: None, lambda *args: iter(()))
runner.validate_repo(repo)
times = {"off": [], "on": []}
for _ in range(runs):
    for label, (builtin, cel) in (("off", off), ("on", on)):
        runner._check_builtin, crd_cel.violations = builtin, cel
        start = time.perf_counter()
        runner.validate_repo(repo)
        times[label].append(time.perf_counter() - start)
print(statistics.median(times["off"]), statistics.median(times["on"]))
"""
BASE_COMMIT = "7056a04"  # before the CEL, built-in and admission layers
PLATFORM_BASE_COMMIT = "a018be6"  # validate --platform read the baseline twice
sys.path.insert(0, str(ROOT))
from tests.e2e.test_baselines import MATRIX  # noqa: E402


def extract(commit: str, dest: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", commit, "scaffolder"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def largest_baseline(work: Path) -> tuple[str, Path]:
    sizes = {}
    for name, answers in MATRIX.items():
        dest = work / name
        data = {"cluster_name": "prod-eu", **answers}
        generate(plan(load_catalog(), "cluster-baseline", data=data), dest, git=False)
        sizes[name] = sum(len(p.read_bytes()) for p in dest.rglob("*.y*ml"))
    name = max(sizes, key=lambda n: sizes[n])
    return name, work / name


def platform(runs: int, crd_dir: str) -> None:
    """`validate SERVICE --platform BASELINE`, before and after, alternating."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        before = extract(PLATFORM_BASE_COMMIT, work / "before")
        name, baseline = largest_baseline(work / "repos")
        service = work / "payments"
        data = {"name": "payments", "owner": "inference"}
        generate(plan(load_catalog(), "service", data=data), service, git=False)
        os.environ["SCAFFOLDER_CRD_DIR"] = crd_dir
        argv = [sys.executable, "-c", "from scaffolder.cli import run; run()", "validate"]
        times: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(runs):
            for label, path in (("before", before), ("after", ROOT)):
                os.environ["PYTHONPATH"] = str(path)
                command = [*argv, str(service), "--platform", str(baseline)]
                times[label] += time_command(command, runs=1)
        os.environ["PYTHONPATH"] = str(ROOT)
    b, a = median(times["before"]), median(times["after"])
    print(f"machine: {machine()}")
    print(f"`validate payments --platform` cluster-baseline {name}, median of {runs} runs")
    print("| measurement | result |")
    print("|---|---|")
    print(f"| before ({PLATFORM_BASE_COMMIT}: the baseline read twice) | {b:.3f} s |")
    print(f"| after (admission takes the contract's built objects) | {a:.3f} s |")
    print(f"| saved | {b - a:+.3f} s ({(b - a) / b:.0%}) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--part", choices=("layers", "platform", "all"), default="all")
    args = parser.parse_args()
    crd_dir = os.environ.get("SCAFFOLDER_CRD_DIR") or str(ROOT.parent / "shared" / "crds")
    if args.part in ("platform", "all"):
        platform(args.runs, crd_dir)
    if args.part == "platform":
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        before = extract(BASE_COMMIT, work / "before")
        name, repo = largest_baseline(work / "repos")
        times: dict[str, list[float]] = {"before": [], "after": []}
        os.environ["SCAFFOLDER_CRD_DIR"] = crd_dir
        argv = [sys.executable, "-c", "from scaffolder.cli import run; run()", "validate"]
        # Alternate before and after, so load on the shared machine hits both alike.
        for _ in range(args.runs):
            for label, path in (("before", before), ("after", ROOT)):
                os.environ["PYTHONPATH"] = str(path)  # the child imports this scaffolder
                times[label] += time_command([*argv, str(repo)], runs=1)
        os.environ["PYTHONPATH"] = str(ROOT)
        out = subprocess.run(
            [sys.executable, "-c", WARM, str(repo), str(args.runs * 2)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        warm_off, warm_on = float(out[0]), float(out[1])
    b, a = median(times["before"]), median(times["after"])
    print(f"machine: {machine()}")
    print(f"repo: cluster-baseline {name} ({repo.name}), median of {args.runs} whole-process runs")
    print("| measurement | result | target |")
    print("|---|---|---|")
    print(f"| `validate` before ({BASE_COMMIT}) | {b:.3f} s | |")
    print(f"| `validate` after (CEL rules, built-in validation) | {a:.3f} s | |")
    verdict = "met" if a <= 1.5 * b else "NOT met"
    print(f"| ratio | **{a / b:.2f}x** | ≤ 1.5x — {verdict} |")
    print(f"| in one process, CRDs loaded: CEL and built-in layers off | {warm_off:.3f} s | |")
    print(f"| in one process, CRDs loaded: layers on | {warm_on:.3f} s | |")
    print(f"| what the layers add | {warm_on - warm_off:+.3f} s | |")


if __name__ == "__main__":
    main()
