"""How an upgrade plan and its outcome are shown: a list on stdout, patches for --dry-run."""

from __future__ import annotations

import difflib
from dataclasses import asdict

from rich.console import Console

from scaffolder.console import stdout_console
from scaffolder.output import plural
from scaffolder.upgrade.engine import UpgradePlan
from scaffolder.validate.findings import Finding

STYLE = {
    "update": "yellow",
    "add": "green",
    "delete": "red",
    "merge": "cyan",
    "yaml-merge": "cyan",
    "conflict": "bold red",
    "move": "magenta",
}


def print_plan(plan: UpgradePlan, *, patch: bool, console: Console | None = None) -> None:
    console = console or stdout_console()
    gp = plan.origin.golden_path.name
    console.print(f"[bold]{plan.repo}[/]: {gp} {plan.from_version} → {plan.to_version}")
    for note in plan.notes:
        console.print(f"  {note}")
    if not plan.changes:
        console.print("  no file changes")
    for change in plan.changes:
        style = STYLE.get(change.action, "default")
        note = f" ({change.note})" if change.note else ""
        console.print(f"  [{style}]{change.action:10}[/] {change.path}{note}")
        if patch and change.after is not None:
            before = (change.before or b"").decode("utf-8", "replace").splitlines(True)
            after = change.after.decode("utf-8", "replace").splitlines(True)
            diff = "".join(
                difflib.unified_diff(before, after, f"a/{change.path}", f"b/{change.path}")
            )
            if diff:
                console.print(diff, markup=False, style="dim")
    print_immutable(plan.immutable, console)


def print_immutable(findings: list[Finding], console: Console) -> None:
    """The changes the API server will refuse, each with what to do."""
    if not findings:
        return
    console.print(
        f"  [bold red]{plural(len(findings), 'immutable-field change')}[/] the API server"
        " will refuse when the repo is applied:"
    )
    for f in findings:
        console.print(f"    {f.location()}: {f.message}", markup=False)


def changed_files(plan: UpgradePlan, *, recorded: bool) -> list[tuple[str, str]]:
    """(path, added | deleted | updated) for every path the upgrade writes, the record file
    included once the new version is ``recorded``; sorted by path."""
    rows = {
        c.path: "deleted" if c.after is None else "added" if c.before is None else "updated"
        for c in plan.changes
        if c.before != c.after
    }
    if recorded:
        rows[plan.answers_file] = "updated"
    return sorted(rows.items())


def outcome_json(plan: UpgradePlan, status: str, *, recorded: bool) -> dict[str, object]:
    """``upgrade --format json``: the plan, the outcome and the upgrade report in markdown
    (the pull request body ``upgrade --push`` writes, for the Backstage action's PR step)."""
    from scaffolder.upgrade.publish import request_body

    files = changed_files(plan, recorded=recorded)
    report = request_body(
        plan.origin.golden_path.name,
        plan.from_version,
        plan.to_version,
        files,
        plan.conflicts,
        [asdict(f) for f in plan.immutable],
    )
    return {
        **plan_json(plan),
        "status": status,
        "recorded": recorded,
        "files": [{"path": path, "change": kind} for path, kind in files],
        "report": report,
    }


def plan_json(plan: UpgradePlan) -> dict[str, object]:
    return {
        "repo": str(plan.repo),
        "golden_path": plan.origin.golden_path.name,
        "from_version": plan.from_version,
        "to_version": plan.to_version,
        "changes": [{"path": c.path, "action": c.action, "note": c.note} for c in plan.changes],
        "conflicts": plan.conflicts,
        "notes": plan.notes,
        "immutable": [asdict(f) for f in plan.immutable],
    }
