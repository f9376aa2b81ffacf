"""Fleet scale (issue: upgrades as pull requests across an organisation), peers in the same run.

Targets: `scaffolder audit` of a simulated fleet of 10,000 repos in at most 60 s on 2 cores;
`audit --shard K/4` for K = 1..4 plus `audit merge` byte for byte equal to the single run;
`upgrade --fleet` of 1,000 repos to local branches in at most 60 s; the per-repo CI job's own
wall time (a fresh venv installing scaffolder from a wheel cache, `diff --format sarif`, and
`upgrade --push` of the repo to its remote) printed.

The fleet is `service` repos with varied answers and edits (bench/fleet.py: every fifth repo
on 1.1.0, some without a runbook or CODEOWNERS, 30 % with a local README edit), compared with
and upgraded to 1.1.0. Peers, on a sample scaled to the fleet and labelled so: `cruft diff`
once per repo, two at a time, on cookiecutter twins of the same repos (the audit peer);
`copier update` once per repo, two at a time, on copier-made repos of the same answers (the
upgrade peer). Neither has a fleet mode.

`--before REV` also times the single audit and the fleet upgrade with scaffolder as it was at
git revision REV (exported with `git archive`), on the same fleet in the same run, and says
whether both give the same report; the load average is printed beside each figure.

Run: `.venv/bin/python bench/bench_fleet.py [--repos 10000] [--upgrade-repos 1000]
[--before REV]`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml
from bench_upgrade import template_repo
from common import ROOT, commit_all, copier_copy, git, machine, tool
from cookiecutter_twin import build_twin, cruft_json
from fleet import make_fleet

from scaffolder.catalog import load_catalog
from scaffolder.generate import plan
from scaffolder.writer import write_tree


def run(
    argv: Sequence[str],
    *,
    out: Path | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> float:
    """Wall time of one whole process (stdout to ``out`` when given)."""
    start = time.perf_counter()
    if out is None:
        subprocess.run(list(argv), capture_output=True, cwd=cwd, env=env, check=False)
    else:
        with out.open("wb") as sink:
            subprocess.run(
                list(argv), stdout=sink, stderr=subprocess.DEVNULL, cwd=cwd, env=env, check=False
            )
    return time.perf_counter() - start


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def before_cli(work: Path, rev: str) -> tuple[list[str], dict[str, str]]:
    """The command and environment that run scaffolder as it was at git revision ``rev``."""
    folder = work / f"before-{rev}"
    if not folder.exists():  # exported once, run as often as needed
        folder.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return [sys.executable, "-m", "scaffolder"], {**os.environ, "PYTHONPATH": str(folder)}


def pooled(items: Sequence[Path], work: Callable[[Path], object]) -> float:
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(work, items))
    return time.perf_counter() - start


def audit_figures(work: Path, fleet: Path, shards: int) -> dict[str, object]:
    single = work / "single.json"
    audit = [tool("scaffolder"), "audit", str(fleet), "--against", "1.1.0", "--format", "json"]
    single_time = run(audit, out=single)
    shard_times = []
    for k in range(1, shards + 1):
        shard_times.append(run([*audit, "--shard", f"{k}/{shards}"], out=work / f"s{k}.json"))
    merged = work / "merged.json"
    reports = [str(work / f"s{k}.json") for k in range(1, shards + 1)]
    merge_time = run(
        [tool("scaffolder"), "audit", "merge", *reports, "--format", "json"], out=merged
    )
    return {
        "single": single_time,
        "shards": shard_times,
        "merge": merge_time,
        "equal": single.read_bytes() == merged.read_bytes() and single.stat().st_size > 0,
        "repos": len(json.loads(single.read_text())["repos"]),
    }


def cruft_sample(work: Path, repos: Sequence[Path]) -> float:
    """`cruft diff` over cookiecutter twins of ``repos`` (all environments, as the twin needs)."""
    twin = build_twin(ROOT / "templates/service/1.0.0", work / "twin")
    catalog = load_catalog()
    copies = []
    for repo in repos:
        answers = yaml.safe_load((repo / ".copier-answers.yml").read_text())
        if answers["_commit"] != "1.0.0":
            continue  # the twin is of 1.0.0
        data = {k: v for k, v in answers.items() if not k.startswith("_")}
        data["environments"] = ["dev", "stage", "prod"]
        recorded = plan(catalog, "service", version="1.0.0", data=data)
        copy = work / "cruft" / repo.name
        copy.mkdir(parents=True)
        write_tree(copy, recorded.render(copy.name), {})
        (copy / ".cruft.json").write_text(cruft_json(twin, recorded.answers.context))
        commit_all(copy)
        copies.append(copy)
    return pooled(copies, lambda r: run([tool("cruft"), "diff"], cwd=r)) / len(copies)


def copier_sample(work: Path, count: int) -> float:
    """`copier update` 1.0.0 -> 1.1.0 of ``count`` copier-made repos, two at a time."""
    template = template_repo(work)
    repos = [
        copier_copy(template, work / "copier" / f"svc-{i:04d}", {"name": f"svc-{i:04d}"})
        for i in range(count)
    ]
    update = [tool("copier"), "update", "--quiet", "--defaults", "--vcs-ref", "v1.1.0"]
    return pooled(repos, lambda r: run([*update, "--conflict", "inline"], cwd=r))


def upgrade_figures(
    work: Path,
    repos: Sequence[Path],
    cli: Sequence[str] = (),
    env: dict[str, str] | None = None,
    name: str = "upgrade",
) -> tuple[float, dict[str, int]]:
    """The fleet upgrade of ``repos`` (committed already) by ``cli`` (default: ours)."""
    listing = work / f"{name}.txt"
    listing.write_text("".join(f"{r}\n" for r in repos))
    out = work / f"{name}.json"
    elapsed = run(
        [
            *(cli or [tool("scaffolder")]),
            "upgrade",
            "--fleet",
            str(listing),
            "--branch",
            "golden-path/1.1.0",
            "--to",
            "1.1.0",
            "--jobs",
            "2",
            "--format",
            "json",
        ],
        out=out,
        env=env,
    )
    return elapsed, json.loads(out.read_text())["summary"]


def ci_job(work: Path, repo: Path) -> tuple[float, float, float]:
    """The per-repo job: (install from a wheel cache, diff --format sarif, upgrade --push)."""
    wheels = work / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    venv = work / "ci-venv"
    install = run([sys.executable, "-m", "venv", str(venv)])
    install += run(
        [
            str(venv / "bin/pip"),
            "install",
            "--quiet",
            "--no-index",
            "--find-links",
            str(wheels),
            "scaffolder-golden-paths",
        ]
    )
    remote = work / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(remote)], check=True)
    git(repo, "remote", "add", "origin", str(remote))
    scaffolder = str(venv / "bin/scaffolder")
    diff = run([scaffolder, "diff", "--against", "1.1.0", "--format", "sarif"], cwd=repo)
    upgrade = run(
        [
            scaffolder,
            "upgrade",
            "--to",
            "1.1.0",
            "--push",
            "--branch",
            "golden-path/{golden_path}-{version}",
            "--format",
            "markdown",
        ],
        cwd=repo,
    )
    pushed = subprocess.run(
        ["git", "branch", "--list", "golden-path/*"],
        cwd=remote,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not pushed:
        raise SystemExit("the CI job's upgrade pushed no branch")
    return install, diff, upgrade


def timed_audit(work: Path, args: argparse.Namespace, lines: list[str]) -> dict[str, object]:
    """The audit figures; with ``--before``, the same audit by that revision first."""
    if args.before:
        cli, env = before_cli(work, args.before)
        audit_cmd = [*cli, "audit", str(work / "fleet"), "--against", "1.1.0", "--format", "json"]
        then = run(audit_cmd, out=work / "before.json", env=env)
        lines.append(f"audit at {args.before}, {args.repos} repos: {then:.1f} s ({load()})")
    audit = audit_figures(work, work / "fleet", args.shards)
    lines.append(f"audit now: {float(audit['single']):.1f} s ({load()})")  # type: ignore[arg-type]
    if args.before:
        same = (work / "before.json").read_bytes() == (work / "single.json").read_bytes()
        lines.append(f"audit reports at {args.before} and now byte for byte the same: {same}")
    return audit


def timed_upgrade(
    work: Path, args: argparse.Namespace, upgrading: Sequence[Path], lines: list[str]
) -> tuple[float, dict[str, int]]:
    """The fleet upgrade of ``upgrading``; with ``--before``, that revision's on copies first."""
    for repo in upgrading:
        commit_all(repo)
    if args.before:
        cli, env = before_cli(work, args.before)
        copies = []
        for repo in upgrading:
            copies.append(work / "upgrade-before" / repo.name)
            shutil.copytree(repo, copies[-1], symlinks=True)
        then, old = upgrade_figures(work, copies, cli, env, name="upgrade-before")
        lines.append(
            f"upgrade --fleet at {args.before}, {len(copies)} repos: {then:.1f} s ({load()}); {old}"
        )
    upgrade_time, summary = upgrade_figures(work, upgrading)
    lines.append(f"upgrade --fleet now: {upgrade_time:.1f} s ({load()}); {summary}")
    return upgrade_time, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repos", type=int, default=10_000)
    parser.add_argument("--upgrade-repos", type=int, default=1_000)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--peer-sample", type=int, default=20)
    parser.add_argument("--before", metavar="REV", help="also time scaffolder at this revision")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    start = time.perf_counter()
    repos = make_fleet(work / "fleet", args.repos, varied=True)
    made = time.perf_counter() - start

    lines: list[str] = []
    audit = timed_audit(work, args, lines)
    cruft_each = cruft_sample(work, repos[: args.peer_sample])
    upgrade_time, summary = timed_upgrade(work, args, repos[: args.upgrade_repos], lines)
    copier_time = copier_sample(work, args.peer_sample)
    solo = make_fleet(work / "solo", 1)[0]
    commit_all(solo)
    install, diff, upgrade = ci_job(work, solo)

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    n, m, k = args.repos, args.upgrade_repos, args.shards
    shard_times = audit["shards"]
    assert isinstance(shard_times, list)
    single = float(audit["single"])  # type: ignore[arg-type]
    print(f"machine: {machine()}")
    print("\n".join(lines))
    print(f"fleet: {n} service repos generated in {made:.1f} s (setup, not timed below)")
    print(
        f"scaffolder audit, {n} repos: {single:.1f} s (target <= 60 s for 10,000) -> "
        f"{verdict(single <= 60 * n / 10_000)}"
    )
    print(
        f"audit --shard K/{k}: "
        + ", ".join(f"{t:.1f} s" for t in shard_times)
        + f" (one after another; in a matrix they run side by side: slowest "
        f"{max(shard_times):.1f} s); merge {float(audit['merge']):.1f} s"
    )  # type: ignore[arg-type]
    print(
        f"shards merged == single run, byte for byte: {audit['equal']} "
        f"({audit['repos']} repo reports)"
    )
    cruft_fleet = cruft_each * n
    print(
        f"cruft diff, ~{args.peer_sample} repos, 2 at a time: {cruft_each:.2f} s a repo; scaled to "
        f"{n}: {cruft_fleet:.0f} s ({cruft_fleet / single:.0f}x audit)"
    )
    print(
        f"scaffolder upgrade --fleet, {m} repos to local branches, 2 jobs: {upgrade_time:.1f} s "
        f"(target <= 60 s for 1,000) -> {verdict(upgrade_time <= 60 * m / 1_000)}; {summary}"
    )
    copier_fleet = copier_time * m / args.peer_sample
    print(
        f"copier update, {args.peer_sample} repos, 2 at a time: {copier_time:.1f} s; scaled "
        f"to {m}: {copier_fleet:.0f} s ({copier_fleet / upgrade_time:.1f}x upgrade --fleet)"
    )
    print(
        f"per-repo CI job: install from a wheel cache {install:.1f} s + diff --format sarif "
        f"{diff:.1f} s + upgrade --push {upgrade:.1f} s = {install + diff + upgrade:.1f} s"
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
