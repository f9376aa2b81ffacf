"""The fleet summary table of an audit, on stderr."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from scaffolder.console import stderr_console
from scaffolder.reports.fleet import LEVELS, summarize
from scaffolder.reports.model import RepoReport

STATUSES = ("modified", "outdated", "conflicting", "deleted", "added", "removed")
NOT_DRIFT = ("incomplete", "generated")  # hooks not run; generated per repo


def print_summary(
    reports: Sequence[RepoReport], html_file: Path | None = None, console: Console | None = None
) -> None:
    console = console or stderr_console()
    summary = summarize(reports)
    table = Table(title=f"Audit of {summary.repos} repos", title_justify="left")
    for column in ("golden path", "version", "repos", "standards levels", "drifted files"):
        table.add_column(column, justify="right" if column == "repos" else "left")
    for golden_path, version in summary.group_order():
        counts = summary.groups[(golden_path, version)]
        levels = ", ".join(
            f"{counts[f'level:{lv}']} {lv}" for lv in LEVELS if counts.get(f"level:{lv}")
        )
        drift = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts.get(s)) or "none"
        other = ", ".join(f"{counts[s]} {s}" for s in NOT_DRIFT if counts.get(s))
        drift += f" (not drift: {other})" if other else ""
        table.add_row(golden_path, version, str(counts["repos"]), levels, drift)
    console.print(table)
    if summary.repos_needing_answers:
        questions = ", ".join(f"{q} ({n})" for q, n in summary.needs_answers.most_common())
        console.print(
            f"{summary.repos_needing_answers} repos need answers for the target "
            f"version before it can be compared or upgraded: {questions}"
        )
    if summary.failed_rules:
        top = ", ".join(f"{rule} ({n})" for rule, n in summary.failed_rules.most_common(5))
        console.print(f"most-failed rules: {top}")
    for path, error in summary.errors:
        console.print(f"[red]error[/] {path}: {error}")
    if html_file is not None:
        console.print(f"HTML report: {html_file}")
