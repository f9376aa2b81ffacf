"""Engines side by side with copier, in one run (issue 15).

Targets: native path `new` <= 0.35x `copier copy` and `upgrade` <= 0.25x `copier update`;
copier-engine path `new` <= 0.8x `copier copy`, `diff` of one repo <= 0.5x
`copier update --pretend`, `audit` of 200 copier-engine repos <= 60 s on 2 cores.

The template is the built-in `service` golden path, versions 1.0.0 and 1.1.0, committed to a
git repository with tags v1.0.0 and v1.1.0 (copier needs git to update). The native path runs
it as it is; the copier-engine path adds one file using copier's `{% yield %}`, which the
native engine does not render, so the classifier sends it to copier's own engine (copier gets
the same template). Whole-process wall time, median of --runs after one warm-up (so
scaffolder's cache holds the template's mirror and its compiled Jinja code; one row also
shows `new` with the compiled code dropped before every run).

copier has no fleet audit; beside ours the bench prints what a copier user would run instead,
`copier update --pretend` in each repo two at a time (both cores), timed on --copier-sample
repos and scaled to the fleet.

Both tools run with Python bytecode caching on (PYTHONDONTWRITEBYTECODE is dropped): copier's
modules come precompiled from its wheel, scaffolder's editable install would otherwise be
compiled from source in every run.

Run: `.venv/bin/python bench/bench_engines.py`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import (
    COPIER_ANSWERS,
    copier_copy,
    machine,
    median,
    service_template_repo,
    time_command,
    tool,
)

YIELD_FILE = "{% yield e from environments %}{{ e }}{% endyield %}.env.jinja"


def template_repo(path: Path, *, copier_only: bool) -> Path:
    """service 1.0.0 and 1.1.0 as tagged commits (plus a `{% yield %}` file if copier_only)."""
    extra = {YIELD_FILE: "env={{ e }}\n"} if copier_only else {}
    return service_template_repo(path, {**COPIER_ANSWERS, **extra})


def copier_repo(template: Path, dest: Path, name: str = "payments") -> None:
    copier_copy(template, dest, {"name": name}, options=("--trust",))


def ratio(ours: list[float], theirs: list[float]) -> str:
    return f"{median(ours):.3f} s vs {median(theirs):.3f} s = {median(ours) / median(theirs):.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--copier-sample", type=int, default=10)
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    scaffolder, copier = tool("scaffolder"), tool("copier")
    work = Path(tempfile.mkdtemp(prefix="bench-engines-"))
    os.environ["SCAFFOLDER_CACHE_DIR"] = str(work / "cache")
    native_tpl = template_repo(work / "native-tpl", copier_only=False)
    copier_tpl = template_repo(work / "copier-tpl", copier_only=True)
    out = work / "out"

    def clean(_: int) -> None:
        shutil.rmtree(out, ignore_errors=True)

    def new(template: Path) -> list[str]:
        ref = f"{template}@v1.0.0"
        return [scaffolder, "new", "--template", ref, str(out), "--defaults", "--no-git"]

    def copy(template: Path) -> list[str]:
        return [copier, "copy", "-q", "--defaults", "--vcs-ref", "v1.0.0", str(template), str(out)]

    data = ["--data", "name=payments"]
    rows: dict[str, str] = {}
    runs = args.runs
    for label, template in (("native", native_tpl), ("copier engine", copier_tpl)):
        ours = time_command([*new(template), *data], runs=runs, setup=clean)
        theirs = time_command([*copy(template), *data], runs=runs, setup=clean)
        rows[f"{label}: `new` vs `copier copy`"] = ratio(ours, theirs)

    def cold(i: int) -> None:
        clean(i)
        shutil.rmtree(work / "cache" / "copier-compiled", ignore_errors=True)

    ours = time_command([*new(copier_tpl), *data], runs=runs, setup=cold)
    rows["copier engine: `new` (no compiled code cached) vs `copier copy`"] = ratio(ours, theirs)

    # upgrade (native) and diff (copier engine) of a repo copier made at v1.0.0
    for label, template in (("native", native_tpl), ("copier engine", copier_tpl)):
        repo = work / f"repo-{label.replace(' ', '-')}"

        def fresh(_: int, repo: Path = repo, template: Path = template) -> None:
            shutil.rmtree(repo, ignore_errors=True)
            copier_repo(template, repo)

        if label == "native":
            ours = time_command([scaffolder, "upgrade", str(repo)], runs=runs, setup=fresh)
            theirs = _copier_in(repo, [copier, "update", "-q", "--defaults"], runs, fresh)
            rows["native: `upgrade` vs `copier update`"] = ratio(ours, theirs)
        else:
            fresh(0)
            ours = time_command([scaffolder, "diff", str(repo)], runs=runs, check=False)
            theirs = _copier_in(repo, [copier, "update", "-q", "--defaults", "--pretend"], runs)
            rows["copier engine: `diff` vs `copier update --pretend`"] = ratio(ours, theirs)

    label, value = _audit(work, copier_tpl, scaffolder, copier, args.repos, args.copier_sample)
    rows[label] = value
    shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {machine()}")
    print(f"runs: {runs} (median of whole-process wall time, after one warm-up)")
    for label, value in rows.items():
        print(f"{label}: {value}")


def _audit(
    work: Path, copier_tpl: Path, scaffolder: str, copier: str, repos: int, sample_size: int
) -> tuple[str, str]:
    """`audit` of a fleet copier made, beside `copier update --pretend` in each repo."""
    fleet = work / "fleet"
    fleet.mkdir()
    seed = work / "seed"
    copier_repo(copier_tpl, seed)
    for i in range(repos):  # answers differ per repo, so every repo is its own render
        repo = fleet / f"svc{i:03d}"
        shutil.copytree(seed, repo, symlinks=True)
        record = repo / ".copier-answers.yml"
        record.write_text(record.read_text().replace("name: payments", f"name: svc{i:03d}"))
    start = time.perf_counter()
    subprocess.run(
        [scaffolder, "audit", *sorted(str(p) for p in fleet.iterdir())],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    elapsed = time.perf_counter() - start
    sample = sorted(fleet.iterdir())[:sample_size]
    start = time.perf_counter()
    subprocess.run(  # copier: `update --pretend` in each repo, two at a time
        [
            "xargs",
            "-P",
            "2",
            "-I",
            "{}",
            "sh",
            "-c",
            f"cd {{}} && {copier} update -q --defaults --pretend >/dev/null 2>&1",
        ],
        input="\n".join(str(p) for p in sample),
        text=True,
        check=False,
    )
    per_repo = (time.perf_counter() - start) / len(sample)
    return f"copier engine: `audit` of {repos} repos", (
        f"{elapsed:.1f} s vs {per_repo * repos:.1f} s (copier update --pretend in each,"
        f" 2 at a time; {len(sample)} timed, scaled) = {elapsed / (per_repo * repos):.2f}x"
    )


def _copier_in(
    repo: Path, argv: list[str], runs: int, setup: Callable[[int], None] | None = None
) -> list[float]:
    """copier update runs in the repo (it finds the answers file there)."""
    return time_command(argv, runs=runs, cwd=repo, setup=setup)


if __name__ == "__main__":
    main()
