"""`scaffolder validate` of the largest generated cluster baseline, before and after the
API-server layers (CEL rules of CRDs, built-in validation), measured in one run.

Target (issue: validate rejects what the API server would reject): at most 1.5x the time of
`validate` before those layers. "Before" is the scaffolder package of BASE_COMMIT (the commit
this work started from), extracted with `git archive`; "after" is this checkout. Both run as
whole processes, against the same repo and the same CRD folder ($SCAFFOLDER_CRD_DIR, or
../shared/crds beside the checkout).

Run: `make bench` (or `.venv/bin/python bench/bench_validate.py`).
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

BASE_COMMIT = "7056a04"  # before the CEL, built-in and admission layers
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    crd_dir = os.environ.get("SCAFFOLDER_CRD_DIR") or str(ROOT.parent / "shared" / "crds")
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
    b, a = median(times["before"]), median(times["after"])
    print(f"machine: {machine()}")
    print(f"repo: cluster-baseline {name} ({repo.name}), median of {args.runs} whole-process runs")
    print("| measurement | result | target |")
    print("|---|---|---|")
    print(f"| `validate` before ({BASE_COMMIT}) | {b:.3f} s | |")
    print(f"| `validate` after (CEL rules, built-in validation) | {a:.3f} s | |")
    verdict = "met" if a <= 1.5 * b else "NOT met"
    print(f"| ratio | **{a / b:.2f}x** | ≤ 1.5x — {verdict} |")


if __name__ == "__main__":
    main()
