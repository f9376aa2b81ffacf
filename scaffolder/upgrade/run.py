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
from scaffolder.git import GitError, head_commit, run_git
from scaffolder.output import plural
from scaffolder.template_messages import show
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
    recorded: bool = False  # the record file names the new version


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
    try:  # a new branch, as on a fleet's first run: one git call
        run_git(repo, ["checkout", "--quiet", "-b", branch])
    except GitError:
        if not run_git(repo, ["branch", "--list", branch]).strip():
            raise  # not there, yet not made: git's own reason
        run_git(repo, ["checkout", "--quiet", branch])


def commit_upgrade(repo: Path, paths: list[str], message: str) -> str:
    from scaffolder.git import _identity_env

    run_git(repo, ["add", "--all", "--", *paths])
    run_git(repo, ["commit", "--quiet", "--no-verify", "-m", message], env=_identity_env(repo))
    return head_commit(repo)


def _message(golden_path: str, from_version: str, to_version: str) -> str:
    from scaffolder.upgrade.branch import COMMIT_MARK

    return f"Upgrade golden path {golden_path} {from_version} -> {to_version}\n\n{COMMIT_MARK}"


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
    keep_conflicts: bool = False,
    console: Console | None = None,
    messages: bool = False,
) -> Outcome:
    """Plan and apply an upgrade; the plan and its outcome print to ``console`` (stdout).

    ``quiet`` leaves out the plan and the success lines (fleet upgrades, JSON output).
    ``keep_conflicts`` finishes an upgrade with conflicts as it stands (markers in the files,
    the new version recorded) instead of leaving it in progress.
    ``messages``: show the template's ``_message_before_update`` and ``_message_after_update``
    on stderr when copier shows them (not for fleets: once per repo would drown the report).
    """
    console = console or _console()
    check_repo_state(repo, allow_dirty=allow_dirty or dry_run, allow_no_git=allow_no_git or dry_run)
    ask = None
    if interactive and not dry_run:
        from scaffolder.wizard import ask as wizard_ask

        ask = wizard_ask
    if branch and not dry_run:
        switch_branch(repo, branch)  # first: the branch may already hold an earlier upgrade
    say = show if messages else None
    plan = plan_upgrade(
        repo,
        catalog,
        to=to,
        data=data,
        ask=ask,
        answers_file=answers_file,
        migrate=not dry_run,
        say=say,
    )
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
    _after_migrations(plan)  # as copier update: once the files are merged, conflicts or not
    if say is not None:
        say(_after_update(plan))
    if state is not None:
        console.print(f"[red]{plural(len(state.conflicts), 'conflict')}[/] to resolve:")
        for path in state.conflicts:
            console.print(f"  {path}")
        if keep_conflicts:
            from scaffolder.upgrade.publish import commit_conflicts

            sha = commit_conflicts(repo) if commit else None
            if not commit:
                transaction.keep_conflicts(repo)
            console.print(
                f"The files keep their markers (your edit vs the template) and "
                f"{plan.to_version} is recorded: resolve them before merging."
            )
            return Outcome("conflicts", plan, sha, recorded=True)
        console.print(
            "Resolve them (your edit vs the template are marked), then run "
            "`scaffolder upgrade --continue`; `scaffolder upgrade --abort` restores "
            "the repo exactly."
        )
        return Outcome("conflicts", plan)
    sha = None
    if commit:
        # What copier migrations changed is part of the upgrade too (the repo was clean).
        migrated = ["."] if plan.copier_migrations else []
        sha = commit_upgrade(
            repo,
            [*plan.writes, plan.answers_file, *migrated],
            _message(plan.origin.golden_path.name, plan.from_version, plan.to_version),
        )
    if not quiet:
        console.print(
            f"[green]upgraded[/] to {plan.origin.golden_path.name} {plan.to_version}"
            + (f", commit {sha[:8]}" if sha else "")
        )
    return Outcome("upgraded", plan, sha, recorded=True)


def _after_migrations(plan: UpgradePlan) -> None:
    """The target's copier ``_migrations`` of the ``after`` stage, in the repo."""
    if not any(c.startswith("after") for c in plan.copier_migrations):
        return
    from scaffolder.engines import renderer_for
    from scaffolder.engines.copier import CopierRenderer, given
    from scaffolder.engines.copier_migrations import run_stage

    renderer = renderer_for(plan.target.version)
    assert isinstance(renderer, CopierRenderer)  # only copier-engine versions have them
    at = plan.repo.resolve()
    data = given(plan.target.answers)  # as copier's update: its answers, and its last ones
    meta = plan.target.meta(at.name, at)
    run_stage(renderer, "after", plan.repo, from_commit=plan.from_commit, meta=meta, data=data)


def _after_update(plan: UpgradePlan) -> str | None:
    from scaffolder.template_messages import AFTER_UPDATE, render_message

    at = plan.repo.resolve()
    meta = plan.target.meta(at.name, at)
    return render_message(plan.target.renderer, AFTER_UPDATE, plan.target.answers, meta)


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
