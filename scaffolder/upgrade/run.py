"""The upgrade of one repo from start to finish: checks, plan, apply, report, commit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec

from rich.console import Console

from scaffolder.catalog import Catalog
from scaffolder.console import stdout_console
from scaffolder.errors import ExitCode, ProjectError
from scaffolder.git import run_git
from scaffolder.output import plural
from scaffolder.upgrade import transaction
from scaffolder.upgrade.engine import UpgradePlan, plan_upgrade
from scaffolder.upgrade.immutable import check_continued, check_plan
from scaffolder.upgrade.report import print_immutable, print_plan

P = ParamSpec("P")


@dataclass
class Outcome:
    status: str  # upgraded | current | conflicts | planned
    plan: UpgradePlan | None = None
    commit: str | None = None


def _console() -> Console:
    return stdout_console()


def check_repo_state(repo: Path, *, allow_dirty: bool, allow_no_git: bool) -> None:
    if not repo.is_dir():
        raise ProjectError(f"{repo} is not a directory")
    if transaction.is_git_repo(repo):
        if transaction.state_dir(repo).exists():
            raise transaction.in_progress_error(repo)
        dirty = transaction.dirty_files(repo)
        if dirty and not allow_dirty:
            shown = ", ".join(dirty[:10]) + (
                f" and {len(dirty) - 10} more" if len(dirty) > 10 else ""
            )
            raise ProjectError(
                f"the working tree has uncommitted changes: {shown}",
                hint="commit or stash them, or pass --allow-dirty",
            )
    elif not allow_no_git:
        raise ProjectError(
            f"{repo} is not a git repository",
            hint="pass --allow-no-git (the originals are backed up so `--abort` can restore them)",
        )
    elif transaction.state_dir(repo).exists():
        raise transaction.in_progress_error(repo)


def switch_branch(repo: Path, branch: str) -> None:
    exists = run_git(repo, ["branch", "--list", branch]).strip()
    run_git(repo, ["checkout", "--quiet", *([] if exists else ["-b"]), branch])


def commit_upgrade(repo: Path, paths: list[str], message: str) -> str:
    from scaffolder.git import _identity_env

    run_git(repo, ["add", "--all", "--", *paths])
    run_git(repo, ["commit", "--quiet", "--no-verify", "-m", message], env=_identity_env(repo))
    return run_git(repo, ["rev-parse", "HEAD"]).strip()


def _message(golden_path: str, from_version: str, to_version: str) -> str:
    return (
        f"Upgrade golden path {golden_path} {from_version} -> {to_version}\n\n"
        "Made by scaffolder upgrade."
    )


def _locked(
    func: Callable[Concatenate[Path, P], Outcome],
) -> Callable[Concatenate[Path, P], Outcome]:
    """Hold the repo's upgrade lock for the run (not for a dry run, which writes nothing)."""

    def wrapper(repo: Path, /, *args: P.args, **kwargs: P.kwargs) -> Outcome:
        if kwargs.get("dry_run") or not repo.is_dir():
            return func(repo, *args, **kwargs)
        with transaction.locked(repo):  # one upgrade at a time per repo
            return func(repo, *args, **kwargs)

    wrapper.__doc__ = func.__doc__
    return wrapper


@_locked
def upgrade_repo(
    repo: Path,
    catalog: Catalog,
    *,
    to: str | None = None,
    data: Mapping[str, Any] | None = None,
    dry_run: bool = False,
    commit: bool = False,
    branch: str | None = None,
    allow_dirty: bool = False,
    allow_no_git: bool = False,
    interactive: bool = False,
    patch: bool = False,
    quiet: bool = False,
    answers_file: str | None = None,
    console: Console | None = None,
) -> Outcome:
    """Plan and apply an upgrade; the plan and its outcome print to ``console`` (stdout).

    ``quiet`` leaves out the plan and the success lines (fleet upgrades, JSON output).
    """
    console = console or _console()
    check_repo_state(repo, allow_dirty=allow_dirty or dry_run, allow_no_git=allow_no_git or dry_run)
    ask = None
    if interactive and not dry_run:
        from scaffolder.wizard import ask as wizard_ask

        ask = wizard_ask
    if branch and not dry_run:
        switch_branch(repo, branch)  # first: the branch may already hold an earlier upgrade
    plan = plan_upgrade(repo, catalog, to=to, data=data, ask=ask, answers_file=answers_file)
    if plan.from_version == plan.to_version:
        if not quiet:
            console.print(f"{repo}: already at {plan.origin.golden_path.name} {plan.to_version}")
        return Outcome("current", plan)
    check_plan(plan)
    if not quiet:
        print_plan(plan, patch=patch, console=console)
    if dry_run:
        if plan.conflicts:
            console.print(
                f"[red]{plural(len(plan.conflicts), 'conflict')} expected[/]; nothing written"
            )
        else:
            console.print("dry run: nothing written")
        return Outcome("conflicts" if plan.conflicts else "planned", plan)
    state = transaction.apply(plan)
    if state is not None:
        console.print(f"[red]{plural(len(state.conflicts), 'conflict')}[/] to resolve:")
        for path in state.conflicts:
            console.print(f"  {path}")
        console.print(
            "Resolve them (your edit vs the template are marked), then run "
            "`scaffolder upgrade --continue`; `scaffolder upgrade --abort` restores "
            "the repo exactly."
        )
        return Outcome("conflicts", plan)
    sha = None
    if commit:
        sha = commit_upgrade(
            repo,
            [*plan.writes, plan.answers_file],
            _message(plan.origin.golden_path.name, plan.from_version, plan.to_version),
        )
    if not quiet:
        console.print(
            f"[green]upgraded[/] to {plan.origin.golden_path.name} {plan.to_version}"
            + (f", commit {sha[:8]}" if sha else "")
        )
    return Outcome("upgraded", plan, sha)


def continue_(
    repo: Path, *, commit: bool, console: Console | None = None, fail_on_immutable: bool = False
) -> int:
    with transaction.locked(repo):
        return _continue(repo, commit=commit, console=console, fail_on_immutable=fail_on_immutable)


def _continue(
    repo: Path, *, commit: bool, console: Console | None = None, fail_on_immutable: bool = False
) -> int:
    state = transaction.continue_upgrade(repo)
    console = console or _console()
    immutable, notes = check_continued(repo)  # before the commit: HEAD is the old state
    for note in notes:
        console.print(f"  {note}")
    print_immutable(immutable, console)
    sha = (
        commit_upgrade(
            repo,
            [*state.touched, state.answers_file],
            _message(state.golden_path, state.from_version, state.to_version),
        )
        if (commit)
        else None
    )
    console.print(
        f"[green]upgraded[/] to {state.golden_path} {state.to_version}"
        + (f", commit {sha[:8]}" if sha else "")
    )
    return int(ExitCode.FINDINGS if immutable and fail_on_immutable else ExitCode.OK)


def abort(repo: Path, *, console: Console | None = None) -> int:
    with transaction.locked(repo):
        state = transaction.abort_upgrade(repo)
    if state is None:
        (console or _console()).print(
            "the interrupted upgrade's state is removed; the repo is as it was"
        )
    else:
        (console or _console()).print(
            f"upgrade to {state.golden_path} {state.to_version} aborted; the repo is as it was"
        )
    return int(ExitCode.OK)
