"""The fleet summary table of an audit, on stdout."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from scaffolder.console import stdout_console
from scaffolder.output import plural
from scaffolder.reports import contract
from scaffolder.reports.fleet import LEVELS, FleetSummary, summarize
from scaffolder.reports.model import RepoReport

STATUSES = ("modified", "outdated", "conflicting", "deleted", "added", "removed")
NOT_DRIFT = ("incomplete", "generated")  # hooks not run; generated per repo


def print_summary(reports: Sequence[RepoReport], console: Console | None = None) -> None:
    console = console or stdout_console()
    summary = summarize(reports)
    table = Table(title=f"Audit of {plural(summary.repos, 'repo')}", title_justify="left")
    columns = ["golden path", "version", "repos", "standards levels", "drifted files"]
    if summary.contract_checked:  # audit --platform
        columns.append("platform contract")
    for column in columns:
        table.add_column(column, justify="right" if column == "repos" else "left")
    for golden_path, version in summary.group_order():
        counts = summary.groups[(golden_path, version)]
        levels = ", ".join(
            f"{counts[f'level:{lv}']} {lv}" for lv in LEVELS if counts.get(f"level:{lv}")
        )
        drift = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts.get(s))
        if counts["compared"]:
            drift = drift or "none"
        other = ", ".join(f"{counts[s]} {s}" for s in NOT_DRIFT if counts.get(s))
        drift += f" (not drift: {other})" if other else ""
        if counts["needs answers"]:  # those repos were not compared: no figure, not "none"
            waiting = f"{plural(counts['needs answers'], 'repo')} not compared (answers needed)"
            drift = f"{drift}; {waiting}" if drift else waiting
        row = [golden_path, version, str(counts["repos"]), levels, drift]
        if summary.contract_checked:
            failing, checked = counts["contract unmet"], counts["contract checked"]
            row.append(f"{failing} of {checked} unmet" if failing else f"met ({checked})")
        table.add_row(*row)
    console.print(table)
    console.print(totals(summary))
    if summary.repos_needing_answers:
        questions = ", ".join(f"{q} ({n})" for q, n in summary.needs_answers.most_common())
        console.print(
            f"needs answers: {questions}; answer them with `scaffolder upgrade REPO --data "
            "KEY=VALUE` (or `scaffolder diff REPO --data ...` to compare first)"
        )
    if summary.failed_rules:
        top = ", ".join(f"{rule} ({n})" for rule, n in summary.failed_rules.most_common(5))
        console.print(f"most-failed rules: {top}")
    for report in reports:
        unmet = contract.unmet(report)
        if unmet:
            console.print(
                f"[red]platform contract[/] {report.path}: {plural(len(unmet), 'unmet need')}"
            )
            for finding in unmet:
                console.print(f"  {contract.text(finding)}", markup=False)
    for path, error in summary.errors:
        console.print(f"[red]error[/] {path}: {error}")


def totals(summary: FleetSummary) -> str:
    """One line of the headline figures, the same as the HTML tiles and the JSON summary."""
    waiting = summary.repos_needing_answers
    line = (
        f"{plural(summary.repos, 'repo')}: {summary.compared} compared with the target, "
        f"{waiting} {'needs' if waiting == 1 else 'need'} answers, "
        f"{len(summary.errors)} could not be checked"
    )
    if summary.contract_checked:
        line += (
            f", {len(summary.contract_unmet)} of {summary.contract_checked} checked against the"
            " platform lack something it must provide"
        )
    return line
