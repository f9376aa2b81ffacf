"""kill -9 at random instants of `new` and `upgrade` on a large repo; prints what was left.

Target (issue: untrusted templates, #13): after every kill the destination is untouched or
complete, and `upgrade --abort` restores the repo exactly; the staging folders kills leave are
removed by the next run. The same check runs in the test suite
(`.venv/bin/pytest -m slow tests/security/test_kill.py`).

Run: `.venv/bin/python bench/bench_kill.py [--files 5000] [--runs 20] [--seed 13]`.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

from common import ROOT, machine

sys.path.insert(0, str(ROOT))

from tests.security.killing import Report, big_catalog, kill_new, kill_upgrade


def show(name: str, report: Report, runs: int) -> None:
    print(f"\n{name}: {runs} kills; an uninterrupted run takes {report.full_run:.2f} s")
    for outcome, count in sorted(report.outcomes.items()):
        print(f"  {outcome}: {count}")
    print(f"  broken invariants: {len(report.failures)}")
    for failure in report.failures:
        print(f"    {failure}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    print(machine())
    failures = 0
    with tempfile.TemporaryDirectory(prefix="bench-kill-") as tmp:
        catalog = big_catalog(Path(tmp) / "catalog", args.files)
        for name, run in (("new", kill_new), ("upgrade", kill_upgrade)):
            work = Path(tmp) / name
            work.mkdir()
            report = run(catalog, work, args.runs, random.Random(args.seed))
            show(f"{name} ({args.files} files)", report, args.runs)
            failures += len(report.failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
