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
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scaffolder.audit import read_list
from scaffolder.errors import AnswerError, ExitCode, ScaffolderError

if TYPE_CHECKING:
    from scaffolder.upgrade.engine import UpgradePlan
    from scaffolder.upgrade.publish import PublishOptions

SCHEMA_VERSION = 1


_Work = tuple[
    Path,
    str,
    str | None,
    tuple[str, ...],
    bool,
    Mapping[str, Any],
    "PublishOptions | None",
    str | None,
]


def _one(args: _Work) -> dict[str, Any]:
    from scaffolder.catalog import load_catalog
    from scaffolder.console import stderr_console
    from scaffolder.git import current_branch, run_git
    from scaffolder.project import read_record
    from scaffolder.upgrade import publish, run, transaction

    repo, branch, to, catalogs, trust, data, publishing, answers_file = args
    entry: dict[str, Any] = {
        "path": str(repo),
        "status": "failed",
        "from": None,
        "to": None,
        "commit": None,
        "conflicts": [],
        "immutable": [],
        "error": None,
    }
    start = None
    try:
        if not transaction.is_git_repo(repo):
            raise ScaffolderError(f"{repo} is not a git repository")
        start = current_branch(repo)
        record = read_record(repo, answers_file)
        entry["from"] = record.version
        catalog = load_catalog(catalogs, trust=trust)
        branch = publish.branch_for(branch, record, catalog, to)
        entry["branch"] = branch
        if publishing is not None and not _begin(entry, repo, branch, start, publishing):
            return entry
        outcome = run.upgrade_repo(
            repo,
            catalog,
            to=to,
            data=data,
            commit=True,
            branch=branch,
            quiet=True,
            answers_file=answers_file,
            # The report is the fleet's result; a repo's conflict notes are progress.
            console=stderr_console(),
        )
        plan = outcome.plan
        _record_plan(entry, plan)
        if outcome.status == "conflicts" and plan is not None:
            entry["conflicts"] = plan.conflicts
            if publishing is None:
                transaction.abort_upgrade(repo)
            else:  # into the pull request, markers and all, for a person to resolve
                outcome.commit = publish.commit_conflicts(repo)
        entry["status"] = outcome.status
        entry["commit"] = outcome.commit
        if publishing is not None:
            publish.publish(entry, repo, branch, publishing)
    except ScaffolderError as exc:
        entry["error"] = str(exc)
    except Exception as exc:  # one repo's failure never stops the fleet
        entry["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        if start and start != "HEAD":
            try:
                current = current_branch(repo)
                if current != start:
                    run_git(repo, ["checkout", "--quiet", start])
            except ScaffolderError as exc:
                entry["error"] = entry["error"] or f"could not return to {start}: {exc}"
    return entry


def _begin(
    entry: dict[str, Any], repo: Path, branch: str, start: str, publishing: PublishOptions
) -> bool:
    """Prepare the request's branch (:func:`scaffolder.upgrade.publish.begin`) and record
    where it starts in ``entry``; False when the repo waits for a person (``needs-rebase``)."""
    from scaffolder.upgrade import publish
    from scaffolder.upgrade.branch import NeedsRebase

    try:
        begun = publish.begin(repo, branch, start, publishing.remote)
    except NeedsRebase as exc:  # a person's commits on a stale branch: theirs to move
        entry["status"] = "needs-rebase"
        entry["note"] = str(exc)
        return False
    entry.update(
        base=start, base_commit=begun.base_commit, lease=begun.lease, rebuilt=begun.rebuilt
    )
    return True


def _record_plan(entry: dict[str, Any], plan: UpgradePlan | None) -> None:
    entry["to"] = plan.to_version if plan else None
    if plan is not None:
        entry["from"] = plan.from_version
        entry["golden_path"] = plan.origin.golden_path.name
        entry["answers_file"] = plan.answers_file
        entry["immutable"] = [asdict(f) for f in plan.immutable]


def fleet_repos(list_file: Path) -> list[Path]:
    repos = read_list(list_file)
    if not repos:
        raise AnswerError(f"{list_file} lists no repos", hint="one repo path a line")
    return repos


def run_repos(
    repos: Sequence[Path],
    *,
    branch: str | None,
    to: str | None,
    catalogs: tuple[str, ...],
    trust: bool = False,
    jobs: int | None,
    data: Mapping[str, Any],
    as_json: bool,
    markdown: bool = False,
    publishing: PublishOptions | None = None,
    answers_file: str | None = None,
    fail_on_immutable: bool = False,
) -> int:
    """Upgrade ``repos`` on ``branch`` (``{golden_path}`` and ``{version}`` are filled in per
    repo); with ``publishing``, push each branch and open or update its pull request
    (:mod:`scaffolder.upgrade.publish`)."""
    if not branch:
        raise AnswerError(
            "--fleet and --push need --branch NAME",
            hint="each repo gets its upgrade committed on that branch, for example "
            "--branch 'golden-path/{golden_path}-{version}'",
        )
    from scaffolder.upgrade.publish import check_branch_template

    check_branch_template(branch)
    work: list[_Work] = [
        (repo, branch, to, catalogs, trust, dict(data), publishing, answers_file) for repo in repos
    ]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(repos)))
    if workers == 1:
        entries = [_one(w) for w in work]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            entries = list(pool.map(_one, work))
    summary = Counter(e["status"] for e in entries)
    if publishing is None:
        statuses: tuple[str, ...] = ("upgraded", "current", "conflicts", "failed")
    else:
        from scaffolder.upgrade.publish import STATUSES as statuses
    report = {
        "schema_version": SCHEMA_VERSION,
        "branch": branch,
        "summary": {k: summary.get(k, 0) for k in statuses},
        "repos": entries,
    }
    if as_json:
        click.echo(json.dumps(report, indent=2))
    elif markdown:
        from scaffolder.upgrade.publish import fleet_markdown

        click.echo(fleet_markdown(report), nl=False)
    else:
        _print(report)
    if summary.get("failed"):
        return int(ExitCode.ERROR)
    # Conflicts, and branches a person must rebase, wait for someone: exit 3, like conflicts.
    conflicted = (
        summary.get("conflicts") or summary.get("conflicted") or summary.get("needs-rebase")
    )
    if conflicted:
        return int(ExitCode.CONFLICTS)
    refused = any(e["immutable"] for e in entries)
    return int(ExitCode.FINDINGS if refused and fail_on_immutable else ExitCode.OK)


def _print(report: Mapping[str, Any]) -> None:
    from rich.table import Table

    from scaffolder.console import stdout_console
    from scaffolder.upgrade.publish import immutable_summary

    console = stdout_console()
    table = Table(title=f"Fleet upgrade on branch {report['branch']}", title_justify="left")
    for column in ("repo", "status", "from", "to", "details"):
        table.add_column(column)
    for e in report["repos"]:
        details = (
            e["error"] or e.get("note") or ", ".join(e["conflicts"]) or (e["commit"] or "")[:8]
        )
        if e["immutable"]:
            details += f" ({immutable_summary(e['immutable'])})"
        if e.get("pr"):
            details = f"{e['pr']['url']} {details}".strip()
        table.add_row(Path(e["path"]).name, e["status"], e["from"] or "", e["to"] or "", details)
    console.print(table)
    console.print(", ".join(f"{n} {status}" for status, n in report["summary"].items()))
