"""The upgrade's changes to immutable fields: merged cleanly, refused by the API server.

A new golden-path version that changes a Deployment's selector merges without a conflict and
validates, then fails at sync with "field is immutable". The repo's objects before the
upgrade (its files as they are) and after it (a temporary copy with the plan's writes) are
built overlay by overlay and compared (:mod:`scaffolder.validate.updates`), unless the files
alone prove that no write can change an immutable field (:mod:`scaffolder.validate.update_scope`:
new resources and mutable edits, the common golden-path change, need no build). The findings go
into the upgrade report; they fail the run only with ``--fail-on-immutable`` (exit 2), since
the upgrade itself is right and the rollout needs a person's step.
"""

from __future__ import annotations

from pathlib import Path

from scaffolder.errors import ScaffolderError
from scaffolder.upgrade.engine import UpgradePlan
from scaffolder.validate.findings import Finding

NOT_CHECKED = "immutable fields not checked"


def check_plan(plan: UpgradePlan) -> None:
    """Fill ``plan.immutable``; what could not be checked becomes a note of the plan."""
    from scaffolder.validate.update_scope import why_build
    from scaffolder.validate.updates import compare, tree_with

    writes = plan.writes
    if not writes or why_build(plan.repo, writes) is None:
        return  # proved from the files: no write can change an immutable field
    if plan.conflicts:
        plan.notes.append(
            f"{NOT_CHECKED}: files have conflicts; `scaffolder upgrade --continue` checks them"
        )
        return
    try:
        with tree_with(plan.repo, writes) as after:
            comparison = compare(plan.repo, after)
    except ScaffolderError as exc:  # kubectl missing: the upgrade does not need it
        plan.notes.append(f"{NOT_CHECKED}: {exc}")
        return
    plan.immutable = comparison.findings
    plan.notes += [f"{NOT_CHECKED} after the upgrade in {p}" for p in comparison.after_problems]


def check_continued(repo: Path) -> tuple[list[Finding], list[str]]:
    """After ``--continue``: the working tree against ``HEAD`` (the commit the upgrade
    started from); findings and notes."""
    from scaffolder.upgrade import transaction
    from scaffolder.validate.updates import since

    if not transaction.is_git_repo(repo):
        return [], [f"{NOT_CHECKED}: not a git repository, so there is no earlier state"]
    try:
        comparison = since(repo, "HEAD")
    except ScaffolderError as exc:
        return [], [f"{NOT_CHECKED}: {exc}"]
    return comparison.findings, [f"{NOT_CHECKED}: {p}" for p in comparison.after_problems]
