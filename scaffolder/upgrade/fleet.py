"""Fleet upgrades: one branch and commit per repo, in parallel, re-runnable.

A repo already at the target version (on the branch) is reported as current; a repo with
conflicts is rolled back and reported with its conflicting files, so a person can run the
upgrade there; a repo that fails gets its own error and never stops the fleet. Each repo ends
on the branch it started on, with the upgrade committed on ``--branch``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import click

from scaffolder.audit import read_list
from scaffolder.errors import AnswerError, ExitCode, ScaffolderError

SCHEMA_VERSION = 1


def _one(
    args: tuple[Path, str, str | None, tuple[str, ...], bool, Mapping[str, Any]],
) -> dict[str, Any]:
    from scaffolder.catalog import load_catalog
    from scaffolder.git import run_git
    from scaffolder.project import read_record
    from scaffolder.upgrade import run, transaction

    repo, branch, to, catalogs, trust, data = args
    entry: dict[str, Any] = {
        "path": str(repo),
        "status": "failed",
        "from": None,
        "to": None,
        "commit": None,
        "conflicts": [],
        "error": None,
    }
    start = None
    try:
        if not transaction.is_git_repo(repo):
            raise ScaffolderError(f"{repo} is not a git repository")
        start = run_git(repo, ["rev-parse", "--abbrev-ref", "HEAD"]).strip()
        entry["from"] = read_record(repo).version
        outcome = run.upgrade_repo(
            repo,
            load_catalog(catalogs, trust=trust),
            to=to,
            data=data,
            commit=True,
            branch=branch,
            quiet=True,
        )
        plan = outcome.plan
        entry["from"] = plan.from_version if plan else entry["from"]
        entry["to"] = plan.to_version if plan else None
        if outcome.status == "conflicts" and plan is not None:
            entry["conflicts"] = plan.conflicts
            transaction.abort_upgrade(repo)
        entry["status"] = outcome.status
        entry["commit"] = outcome.commit
    except ScaffolderError as exc:
        entry["error"] = str(exc)
    except Exception as exc:  # one repo's failure never stops the fleet
        entry["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        if start and start != "HEAD":
            try:
                current = run_git(repo, ["rev-parse", "--abbrev-ref", "HEAD"]).strip()
                if current != start:
                    run_git(repo, ["checkout", "--quiet", start])
            except ScaffolderError as exc:
                entry["error"] = entry["error"] or f"could not return to {start}: {exc}"
    return entry


def run_fleet(
    list_file: Path,
    *,
    branch: str | None,
    to: str | None,
    catalogs: tuple[str, ...],
    trust: bool = False,
    jobs: int | None,
    data: Mapping[str, Any],
    as_json: bool,
) -> int:
    if not branch:
        raise AnswerError(
            "--fleet needs --branch NAME",
            hint="each repo gets its upgrade committed on that branch",
        )
    repos = read_list(list_file)
    if not repos:
        raise AnswerError(f"{list_file} lists no repos", hint="one repo path a line")
    work = [(repo, branch, to, catalogs, trust, dict(data)) for repo in repos]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(repos)))
    if workers == 1:
        entries = [_one(w) for w in work]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            entries = list(pool.map(_one, work))
    summary = Counter(e["status"] for e in entries)
    report = {
        "schema_version": SCHEMA_VERSION,
        "branch": branch,
        "summary": {k: summary.get(k, 0) for k in ("upgraded", "current", "conflicts", "failed")},
        "repos": entries,
    }
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        _print(report)
    if summary.get("failed"):
        return int(ExitCode.ERROR)
    return int(ExitCode.CONFLICTS if summary.get("conflicts") else ExitCode.OK)


def _print(report: Mapping[str, Any]) -> None:
    from rich.table import Table

    from scaffolder.console import stdout_console

    console = stdout_console()
    table = Table(title=f"Fleet upgrade on branch {report['branch']}", title_justify="left")
    for column in ("repo", "status", "from", "to", "details"):
        table.add_column(column)
    for e in report["repos"]:
        details = e["error"] or ", ".join(e["conflicts"]) or (e["commit"] or "")[:8]
        table.add_row(Path(e["path"]).name, e["status"], e["from"] or "", e["to"] or "", details)
    console.print(table)
    s = report["summary"]
    console.print(
        f"{s['upgraded']} upgraded, {s['current']} already current, "
        f"{s['conflicts']} with conflicts, {s['failed']} failed"
    )
