"""``scaffolder upgrade``: move a repo, or a fleet, to a newer golden-path version."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scaffolder.commands.options import (
    answers_file_option,
    catalog_option,
    data_options,
    format_option,
    trust_option,
)

if TYPE_CHECKING:
    from scaffolder.upgrade.publish import PublishOptions


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
    "--keep-conflicts",
    is_flag=True,
    help="With conflicts, finish anyway: the files keep their markers and the new version is "
    "recorded, for a pull request that lists them (the Backstage action).",
)
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
@click.option(
    "--push",
    is_flag=True,
    help="With --fleet: push each repo's --branch to its remote (forced only over "
    "scaffolder's own commits, with a lease, when the default branch moved on).",
)
@click.option(
    "--remote",
    default="origin",
    show_default=True,
    help="With --push: the remote to push to and to read an existing branch from.",
)
@click.option(
    "--open-pr",
    "forge",
    type=click.Choice(["github", "gitlab"]),
    help="With --push: open or update one pull/merge request per repo through gh or glab.",
)
@click.option(
    "--label", "labels", multiple=True, metavar="NAME", help="With --open-pr: add this label."
)
@click.option(
    "--reviewer",
    "reviewers",
    multiple=True,
    metavar="LOGIN",
    help="With --open-pr: request this reviewer on new requests (CODEOWNERS apply anyway).",
)
@click.option(
    "--fail-on-immutable",
    is_flag=True,
    help="Exit 2 when the upgraded repo changes an immutable field (a selector, a Service's"
    " clusterIP...) that the API server refuses as an update; the upgrade is still written.",
)
@format_option(
    "text",
    "json",
    "markdown",
    help="Output format of the plan or the fleet report (markdown: the fleet report).",
)
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
    keep_conflicts: bool,
    fleet_list: Path | None,
    jobs: int | None,
    push: bool,
    remote: str,
    forge: str | None,
    labels: tuple[str, ...],
    reviewers: tuple[str, ...],
    fail_on_immutable: bool,
    fmt: str,
) -> int:
    """Upgrade the repo at PATH to a newer version of its golden path.

    Each file is merged three ways (base: the recorded version with the recorded answers;
    yours: the repo; theirs: the target version), Kubernetes YAML object by object and key by
    key. Local edits are never lost: a true conflict gets markers naming both sides, the files
    are registered as conflicted in git, and the upgrade stays in progress until
    `--continue` (after you resolve them) or `--abort` (restores the repo exactly).

    With --branch, --push and --open-pr github|gitlab (one repo, or every --fleet repo), the
    upgraded branch is pushed and gets one pull request, opened or updated (reruns never
    duplicate one); conflicts are committed with their markers into a draft request that lists
    them. When the default branch moved on, a branch of scaffolder's commits is rebuilt on it;
    one a person added commits to is left alone and reported needs-rebase.
    --branch may name {golden_path} and {version}: golden-path/{golden_path}-{version}.

    The repo's objects before and after are built overlay by overlay and compared: each
    change to a field the API server refuses to update (selectors, a Service's clusterIP,
    an immutable ConfigMap's data) is reported with what to do.

    Exit codes: 0 upgraded (or already current), 3 conflicts to resolve (or, with --push, a
    request branch a person must rebase), 1 error; 2 with --fail-on-immutable when an
    immutable field changes (the upgrade is written anyway).
    """
    from scaffolder.catalog import load_catalog
    from scaffolder.console import stderr_console
    from scaffolder.data import merge_answers
    from scaffolder.errors import AnswerError, ExitCode
    from scaffolder.upgrade import run

    publishing = _publishing(push, remote, forge, labels, reviewers)
    if fleet_list is not None or publishing is not None:
        if keep_conflicts:
            raise AnswerError(
                "--keep-conflicts is for one repo upgraded in place",
                hint="with --push, conflicts are committed with their markers already",
            )
        from scaffolder.upgrade.fleet import fleet_repos, run_repos

        # One repo with --push is a fleet of one: the per-repo CI job (docs/guides/fleet.md).
        return run_repos(
            fleet_repos(fleet_list) if fleet_list is not None else [path.resolve()],
            branch=branch,
            to=to,
            catalogs=catalogs,
            trust=trust,
            jobs=jobs,
            data=merge_answers(data_files, data),
            as_json=fmt == "json",
            markdown=fmt == "markdown",
            publishing=publishing,
            answers_file=answers_file,
            fail_on_immutable=fail_on_immutable,
        )
    machine = fmt != "text"  # stdout is the JSON alone; what happened goes to stderr
    if cont:
        return run.continue_(
            path,
            commit=commit,
            console=stderr_console() if machine else None,
            fail_on_immutable=fail_on_immutable,
        )
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
        keep_conflicts=keep_conflicts,
        quiet=machine,
        console=stderr_console() if machine else None,
        messages=True,
    )
    if fmt == "json" and outcome.plan is not None:
        from scaffolder.upgrade.report import outcome_json

        click.echo(
            json.dumps(
                outcome_json(outcome.plan, outcome.status, recorded=outcome.recorded), indent=2
            )
        )
    if outcome.status == "conflicts":
        return int(ExitCode.CONFLICTS)
    refused = outcome.plan is not None and outcome.plan.immutable
    return int(ExitCode.FINDINGS if refused and fail_on_immutable else ExitCode.OK)


def _publishing(
    push: bool,
    remote: str,
    forge: str | None,
    labels: tuple[str, ...],
    reviewers: tuple[str, ...],
) -> PublishOptions | None:
    """``--push`` and its companions, checked: they only make sense together, on a fleet."""
    from scaffolder.errors import AnswerError
    from scaffolder.upgrade.publish import PublishOptions

    if (forge or labels or reviewers) and not push:
        raise AnswerError(
            "--open-pr, --label and --reviewer go with --push",
            hint="add --push (the branch must be on the remote for a pull request)",
        )
    if not push:
        return None
    return PublishOptions(remote=remote, forge=forge, labels=labels, reviewers=reviewers)
