"""``scaffolder upgrade``: move a repo, or a fleet, to a newer golden-path version."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from scaffolder.commands.options import (
    answers_file_option,
    catalog_option,
    data_options,
    format_option,
    trust_option,
)


@click.command("upgrade")
@click.argument("path", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--to", "to", metavar="VERSION", help="Target version (default: latest).")
@click.option("--dry-run", is_flag=True, help="Print the plan and the diff; write nothing.")
@data_options
@catalog_option
@click.option(
    "--template",
    metavar="URL[@REF]",
    help="Where the template a copier- or cruft-made repo records lives now (it moved); "
    "@REF is the version to upgrade to.",
)
@trust_option
@answers_file_option
@click.option("--commit", is_flag=True, help="Commit the result (current branch or --branch).")
@click.option("--branch", metavar="NAME", help="Create (or switch to) this branch first.")
@click.option("--allow-dirty", is_flag=True, help="Upgrade even with uncommitted changes.")
@click.option(
    "--allow-no-git",
    is_flag=True,
    help="Upgrade a folder that is not a git repo (originals are backed up).",
)
@click.option(
    "--continue", "cont", is_flag=True, help="Finish an upgrade whose conflicts are resolved."
)
@click.option("--abort", is_flag=True, help="Undo an upgrade in progress, exactly.")
@click.option(
    "--fleet",
    "fleet_list",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Upgrade every repo listed in this file (one path a line); needs --branch.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="With --fleet: repos upgraded in parallel (default: one per core).",
)
@format_option("text", "json", help="Output format of the plan or the fleet report.")
def command(
    path: Path,
    to: str | None,
    dry_run: bool,
    data: tuple[str, ...],
    data_files: tuple[Path, ...],
    catalogs: tuple[str, ...],
    template: str | None,
    trust: bool,
    answers_file: str | None,
    commit: bool,
    branch: str | None,
    allow_dirty: bool,
    allow_no_git: bool,
    cont: bool,
    abort: bool,
    fleet_list: Path | None,
    jobs: int | None,
    fmt: str,
) -> int:
    """Upgrade the repo at PATH to a newer version of its golden path.

    Each file is merged three ways (base: the recorded version with the recorded answers;
    yours: the repo; theirs: the target version), Kubernetes YAML object by object and key by
    key. Local edits are never lost: a true conflict gets markers naming both sides, the files
    are registered as conflicted in git, and the upgrade stays in progress until
    `--continue` (after you resolve them) or `--abort` (restores the repo exactly).

    Exit codes: 0 upgraded (or already current), 3 conflicts to resolve, 1 error.
    """
    from scaffolder.catalog import load_catalog
    from scaffolder.console import stderr_console
    from scaffolder.data import merge_answers
    from scaffolder.errors import ExitCode
    from scaffolder.upgrade import run

    if fleet_list is not None:
        from scaffolder.upgrade.fleet import run_fleet

        return run_fleet(
            fleet_list,
            branch=branch,
            to=to,
            catalogs=catalogs,
            trust=trust,
            jobs=jobs,
            data=merge_answers(data_files, data),
            as_json=fmt == "json",
        )
    machine = fmt != "text"  # stdout is the JSON alone; what happened goes to stderr
    if cont:
        return run.continue_(path, commit=commit, console=stderr_console() if machine else None)
    if abort:
        return run.abort(path, console=stderr_console() if machine else None)
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and fmt == "text"
    catalog = load_catalog(catalogs, trust=trust)
    if template is not None:
        catalog, to = catalog.relocate(template, to)
    outcome = run.upgrade_repo(
        path,
        catalog,
        to=to,
        data=merge_answers(data_files, data),
        dry_run=dry_run,
        commit=commit,
        branch=branch,
        allow_dirty=allow_dirty,
        allow_no_git=allow_no_git,
        interactive=interactive,
        patch=dry_run,
        answers_file=answers_file,
        quiet=machine,
        console=stderr_console() if machine else None,
    )
    if fmt == "json" and outcome.plan is not None:
        from scaffolder.upgrade.report import plan_json

        click.echo(json.dumps({**plan_json(outcome.plan), "status": outcome.status}, indent=2))
    return int(ExitCode.CONFLICTS if outcome.status == "conflicts" else ExitCode.OK)
