"""`scaffolder validate` of the largest generated cluster baseline, before and after the
API-server layers (CEL rules of CRDs, built-in validation), measured in one run.

Target (issue: validate rejects what the API server would reject): at most 1.5x the time of
`validate` before those layers. "Before" is the scaffolder package of BASE_COMMIT (the commit
this work started from), extracted with `git archive`; "after" is this checkout. Both run as
whole processes, against the same repo and the same CRD folder ($SCAFFOLDER_CRD_DIR, or
shared/crds beside the checkout or beside its worktree folder).

The repo is like for like: the "before" tree generates it, from its own catalog over its own
pairwise MATRIX (tests/e2e/test_baselines.py at BASE_COMMIT), so it holds only components whose
CRDs that tree pins and "before" validates it fully instead of stopping at "no schema" errors.
Each side's exit code and findings are printed, and any finding only one side reports.

`--part platform` measures `validate SERVICE --platform BASELINE` instead: before
(PLATFORM_BASE_COMMIT) the baseline was read twice, its YAML scanned for admission policies
and then built with kustomize for the contract; after, the admission check takes the
contract side's built objects.

The child processes run with `python -P`, so the checkout's own `scaffolder/` (the current
directory, first on `sys.path` for `-c`) never shadows the "before" tree on PYTHONPATH.

Run: `make bench` (or `.venv/bin/python bench/bench_validate.py [--part layers|platform]`).
"""

from __future__ import annotations

import argparse
import json
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
# The same for the "before" tree, which has no such layers: what its checks cost once its CRDs
# are parsed (the first run parses them; they are cached in the process).
WARM_BEFORE = """
import statistics, sys, time
from pathlib import Path
from scaffolder.validate import runner
repo, runs = Path(sys.argv[1]), int(sys.argv[2])
runner.validate_repo(repo)
times = []
for _ in range(runs):
    start = time.perf_counter()
    runner.validate_repo(repo)
    times.append(time.perf_counter() - start)
print(statistics.median(times))
"""
BASE_COMMIT = "7056a04"  # before the CEL, built-in and admission layers
PLATFORM_BASE_COMMIT = "a018be6"  # validate --platform read the baseline twice
sys.path.insert(0, str(ROOT))
from tests.e2e.test_baselines import MATRIX  # noqa: E402


def extract(commit: str, dest: Path, *extra: str) -> Path:
    # The golden paths come too: validate reads a repo's pins and contract from its golden
    # path, and the built-in catalog is found beside the package.
    archive = subprocess.run(
        ["git", "archive", commit, "scaffolder", "templates", "baselines", *extra],
        cwd=ROOT,
        check=True,
        capture_output=True,
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


# The same, by an older tree in a child process (its package and tests/ on PYTHONPATH): its
# catalog, its MATRIX. Prints the largest baseline's name and YAML bytes.
GENERATE = """
import sys
from pathlib import Path
from scaffolder.catalog import load_catalog
from scaffolder.generate import generate, plan
from tests.e2e.test_baselines import MATRIX
work, sizes = Path(sys.argv[1]), {}
for name, answers in MATRIX.items():
    dest = work / name
    data = {"cluster_name": "prod-eu", **answers}
    generate(plan(load_catalog(), "cluster-baseline", data=data), dest, git=False)
    sizes[name] = sum(len(p.read_bytes()) for p in dest.rglob("*.y*ml"))
name = max(sizes, key=lambda n: sizes[n])
print(name, sizes[name])
"""


def largest_baseline_of(tree: Path, work: Path) -> tuple[str, Path, int]:
    """The largest baseline (YAML bytes) that ``tree`` generates from its own catalog."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-P", "-c", GENERATE, str(work)]
    out = subprocess.run(command, check=False, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit(f"generating the baselines failed:\n{out.stderr[-2000:]}")
    name, size = out.stdout.split()[-2:]
    return name, work / name, int(size)


def findings(tree: Path, repo: Path) -> tuple[int, list[str], str]:
    """One untimed `validate --format json` of ``repo`` by ``tree``: exit code, findings and
    what it checked."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    argv = [sys.executable, "-P", "-c", "from scaffolder.cli import run; run()", "validate"]
    command = [*argv, str(repo), "--format", "json"]
    out = subprocess.run(command, check=False, capture_output=True, text=True, env=env)
    if out.returncode not in (0, 2):
        raise SystemExit(f"validate failed (exit {out.returncode}):\n{out.stderr[-2000:]}")
    report = json.loads(out.stdout)
    found = [
        f"{f['severity']}: {': '.join(p for p in (f['file'], f['object'], f['field']) if p)}: "
        f"{f['message']}"
        for f in report["findings"]
    ]
    checked = ", ".join(f"{n} {check}" for check, n in report["checked"].items())
    return out.returncode, sorted(found), checked


# The admission step's platform side alone, in one process: before, it scanned the baseline's
# YAML; after, it takes the objects the contract check builds anyway (built first here, as
# `validate --platform` needs them for the contract in any case). No service objects are
# passed: what changed is how the platform is read. Medians in seconds.
ADMISSION = """
import statistics, sys, time
from pathlib import Path
from scaffolder.validate import runner
from scaffolder.validate.findings import Report
service, baseline, runs, after = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
objects = runner._scan(service).objects
extra = ((),) if after == "1" else ()
if after == "1":
    from scaffolder.validate.contract import load_platform
    load_platform(baseline.resolve())
times = []
for _ in range(runs):
    start = time.perf_counter()
    runner._check_platform_admission(Report("x", "1.35"), baseline, objects, *extra)
    times.append(time.perf_counter() - start)
print(statistics.median(times))
"""


def admission_step(path: Path, service: Path, baseline: Path, after: bool) -> float:
    env = {**os.environ, "PYTHONPATH": str(path)}
    command = [
        sys.executable,
        "-P",
        "-c",
        ADMISSION,
        str(service),
        str(baseline),
        "5",
        str(int(after)),
    ]
    out = subprocess.run(command, check=False, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit(f"the admission step failed:\n{out.stderr[-2000:]}")
    return float(out.stdout.split()[-1])


def platform(runs: int, crd_dir: str) -> None:
    """`validate SERVICE --platform BASELINE`, before and after, alternating."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        before = extract(PLATFORM_BASE_COMMIT, work / "before")
        name, baseline = largest_baseline(work / "repos")
        service = work / "payments"
        data = {"name": "payments", "owner": "inference", "tier": "standard"}
        generate(plan(load_catalog(), "service", data=data), service, git=False)
        os.environ["SCAFFOLDER_CRD_DIR"] = crd_dir
        argv = [sys.executable, "-P", "-c", "from scaffolder.cli import run; run()", "validate"]
        times: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(runs):
            for label, path in (("before", before), ("after", ROOT)):
                os.environ["PYTHONPATH"] = str(path)
                command = [*argv, str(service), "--platform", str(baseline)]
                times[label] += time_command(command, runs=1, check=False)
        os.environ["PYTHONPATH"] = str(ROOT)
        step_before = admission_step(before, service, baseline, after=False)
        step_after = admission_step(ROOT, service, baseline, after=True)
    b, a = median(times["before"]), median(times["after"])
    print(f"machine: {machine()}")
    print(f"`validate payments --platform` cluster-baseline {name}, median of {runs} runs")
    print("| measurement | result |")
    print("|---|---|")
    print(f"| before ({PLATFORM_BASE_COMMIT}: the baseline read twice) | {b:.3f} s |")
    print(f"| after (admission takes the contract's built objects) | {a:.3f} s |")
    print(f"| saved | {b - a:+.3f} s ({(b - a) / b:.0%}) |")
    print(f"| admission step alone, before (scans the baseline's YAML) | {step_before:.3f} s |")
    print(f"| admission step alone, after (the contract's objects) | {step_after:.3f} s |")


def crd_folder() -> str:
    """$SCAFFOLDER_CRD_DIR, or shared/crds beside the checkout (or beside its worktree folder,
    /work/wt/NAME): a folder that does not exist would leave every custom resource unchecked."""
    if os.environ.get("SCAFFOLDER_CRD_DIR"):
        return os.environ["SCAFFOLDER_CRD_DIR"]
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "crds").is_dir():
            return str(base / "shared" / "crds")
    raise SystemExit("no CRD folder: set SCAFFOLDER_CRD_DIR (see `scaffolder crds fetch`)")


def layers(runs: int, crd_dir: str) -> None:
    """`validate` of the largest baseline the "before" tree generates, before and after."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        before = extract(BASE_COMMIT, work / "before", "tests")
        (work / "repos").mkdir()
        name, repo, size = largest_baseline_of(before, work / "repos")
        os.environ["SCAFFOLDER_CRD_DIR"] = crd_dir
        # Both sides validate the repo fully: exit codes and findings, compared.
        found = {
            label: findings(path, repo) for label, path in (("before", before), ("after", ROOT))
        }
        times: dict[str, list[float]] = {"before": [], "after": []}
        argv = [sys.executable, "-P", "-c", "from scaffolder.cli import run; run()", "validate"]
        # Alternate before and after, so load on the shared machine hits both alike.
        for _ in range(runs):
            for label, path in (("before", before), ("after", ROOT)):
                os.environ["PYTHONPATH"] = str(path)  # the child imports this scaffolder
                times[label] += time_command([*argv, str(repo)], runs=1, check=False)
        os.environ["PYTHONPATH"] = str(ROOT)
        out = subprocess.run(
            [sys.executable, "-P", "-c", WARM, str(repo), str(runs * 2)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        warm_off, warm_on = float(out[0]), float(out[1])
        command = [sys.executable, "-P", "-c", WARM_BEFORE, str(repo), str(runs * 2)]
        env = {**os.environ, "PYTHONPATH": str(before)}
        out = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
        warm_before = float(out.stdout.split()[-1])
    b, a = median(times["before"]), median(times["after"])
    print(f"machine: {machine()}")
    print(f"CRD folder: {crd_dir}")
    print(
        f"repo: cluster-baseline {name}, the largest {BASE_COMMIT} generates from its own catalog"
        f" ({size:,} bytes of YAML), median of {runs} whole-process runs"
    )
    for label, (code, items, checked) in found.items():
        errors = sum(item.startswith("error") for item in items)
        print(f"{label}: exit {code}, {len(items)} findings ({errors} errors); checked {checked}")
    for label, other in (("before", "after"), ("after", "before")):
        for item in sorted(set(found[label][1]) - set(found[other][1])):
            print(f"  only {label}: {item}")
    print("| measurement | result | target |")
    print("|---|---|---|")
    print(f"| `validate` before ({BASE_COMMIT}) | {b:.3f} s | |")
    print(f"| `validate` after (CEL rules, built-in validation) | {a:.3f} s | |")
    verdict = "met" if a <= 1.5 * b else "NOT met"
    print(f"| ratio | **{a / b:.2f}x** | ≤ 1.5x — {verdict} |")
    print(f"| in one process, CRDs loaded: before ({BASE_COMMIT}) | {warm_before:.3f} s | |")
    print(f"| in one process, CRDs loaded: CEL and built-in layers off | {warm_off:.3f} s | |")
    print(f"| in one process, CRDs loaded: layers on | {warm_on:.3f} s | |")
    print(f"| what the layers add | {warm_on - warm_off:+.3f} s | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--part", choices=("layers", "platform", "all"), default="all")
    args = parser.parse_args()
    crd_dir = crd_folder()
    if args.part in ("platform", "all"):
        platform(args.runs, crd_dir)
    if args.part in ("layers", "all"):
        layers(args.runs, crd_dir)


if __name__ == "__main__":
    main()
