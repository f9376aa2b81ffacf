"""The human report of diff on stdout: grouped by drift class, rules by level, colour on a TTY."""

from __future__ import annotations

import difflib

from rich.console import Console

from scaffolder.console import stdout_console
from scaffolder.drift import NOT_COMPARED, FileDrift, FileStatus
from scaffolder.reports.model import RepoReport

NOT_COMPARED_LISTED = 10  # not drift: a hook that deletes a hundred files lists ten
STYLE = {
    FileStatus.MODIFIED: "cyan",
    FileStatus.OUTDATED: "yellow",
    FileStatus.CONFLICTING: "red",
    FileStatus.DELETED: "magenta",
    FileStatus.ADDED: "green",
    FileStatus.REMOVED: "yellow",
    FileStatus.INCOMPLETE: "dim",
    FileStatus.GENERATED: "dim",
}
MEANING = {
    FileStatus.MODIFIED: "locally modified (deliberate edit; the golden path did not change)",
    FileStatus.OUTDATED: "outdated (the golden path changed; an upgrade applies cleanly)",
    FileStatus.CONFLICTING: "conflicting (both changed; an upgrade needs a merge)",
    FileStatus.DELETED: "deleted locally",
    FileStatus.ADDED: "new in the golden path",
    FileStatus.REMOVED: "removed from the golden path",
    FileStatus.INCOMPLETE: "incomplete: hooks not run (the untrusted template's hooks name"
    " these files, so they cannot be compared; not drift)",
    FileStatus.GENERATED: "generated per repo (marked as made for each repo; not drift)",
}


def unified(f: FileDrift, version: str, target: str) -> str:
    """The patch from the repo's file to the target version's."""

    def lines(data: bytes | None) -> list[str]:
        return (data or b"").decode("utf-8", errors="replace").splitlines(keepends=True)

    if f.status == FileStatus.MODIFIED:  # what the local edit changed
        old, new = (f.base, f"golden path {version}"), (f.ours, "repo")
    else:  # what an upgrade would change
        old, new = (f.ours, "repo"), (f.theirs, f"golden path {target}")
    return "".join(
        difflib.unified_diff(
            lines(old[0]),
            lines(new[0]),
            fromfile=f"{f.path} ({old[1]})",
            tofile=f"{f.path} ({new[1]})",
        )
    )


def print_report(
    report: RepoReport, *, patch: bool = False, console: Console | None = None
) -> None:
    console = console or stdout_console()
    if report.error:
        console.print(f"[red]error[/] {report.path}: {report.error}")
        return
    drift = report.drift
    if drift:
        origin = "recorded" if drift.recorded else "given on the command line"
        against = (
            f"compared with {drift.target_version}"
            if drift.compared
            else f"not compared with {drift.target_version} (it needs answers, below);"
            f" local edits to {drift.version}"
        )
        console.print(
            f"[bold]{report.path}[/]: {drift.golden_path} {drift.version} ({origin}) {against}"
        )
        for status, style in STYLE.items():
            files = [f for f in drift.files if f.status == status]
            if not files:
                continue
            console.print(f"  [{style}]{MEANING[status]}[/]: {len(files)}")
            if status in NOT_COMPARED and len(files) > NOT_COMPARED_LISTED:
                more = len(files) - NOT_COMPARED_LISTED
                files = files[:NOT_COMPARED_LISTED]
                console.print(f"    (the first {len(files)}; {more} more in --format json)")
            for f in files:
                extra = " (and modified locally)" if f.locally_modified else ""
                console.print(f"    {f.path}{extra}")
                if patch and f.status in (
                    FileStatus.MODIFIED,
                    FileStatus.OUTDATED,
                    FileStatus.CONFLICTING,
                ):
                    console.print(
                        unified(f, drift.version, drift.target_version), markup=False, style="dim"
                    )
        if any(f.status == FileStatus.INCOMPLETE for f in drift.files):
            from scaffolder.trust import trust_hint

            console.print(f"  to compare them, trust the template: {trust_hint()}", style="dim")
        unchanged = drift.summary()[FileStatus.UNCHANGED.value]
        console.print(f"  unchanged: {unchanged}")
        for problem in drift.answer_problems:
            console.print(f"  [red]answer[/] {problem.question}: {problem}")
        if drift.dropped_answers:
            console.print(
                "  answers no longer asked by the target version: "
                + ", ".join(drift.dropped_answers)
            )
    if report.standards:
        console.print(f"  standards level: [bold]{report.level}[/]")
        for r in report.standards.results:
            if r.violations:
                console.print(f"  [red]✗[/] {r.rule.id} \\[{r.rule.level}] {r.rule.title}")
                for v in r.violations[:10]:
                    where = f"{v.path}:{v.line}" if v.line else v.path
                    console.print(f"      {where}: {v.message}")
                console.print(f"      fix: {r.rule.fix}", style="dim")
            elif r.suppressed:
                reasons = "; ".join(reason for _, reason in r.suppressed)
                console.print(f"  [yellow]~[/] {r.rule.id} exempted: {reasons}")
        for v in report.standards.exemption_problems:
            console.print(f"  [red]✗[/] exemptions: {v.message}")
