"""The human report of ``validate`` on stdout."""

from __future__ import annotations

from itertools import groupby

from rich.console import Console

from scaffolder.console import stdout_console
from scaffolder.output import plural
from scaffolder.validate.findings import Report


def print_report(report: Report, console: Console | None = None) -> None:
    console = console or stdout_console()
    checked = ", ".join(f"{n} {check}" for check, n in sorted(report.checked.items()))
    console.print(
        f"[bold]validate[/] {report.root} (Kubernetes {report.kubernetes_version}):"
        f" checked {checked}"
    )
    ordered = sorted(report.findings, key=lambda f: (f.file, f.object or "", f.field or ""))
    for file, group in groupby(ordered, key=lambda f: f.file):
        console.print(f"\n[bold]{file}[/]")
        for f in group:
            colour = "red" if f.severity == "error" else "yellow"
            where = ": ".join(p for p in (f.object, f.field) if p)
            console.print(
                f"  [{colour}]{f.severity}[/] [dim]{f.check}[/] "
                + (f"{where}: " if where else "")
                + f.message
            )
            if f.peer:
                console.print(f"      [dim]platform:[/] {f.peer}")
    errors, warnings = len(report.errors), len(report.findings) - len(report.errors)
    if report.ok:
        console.print(f"\n[green]valid[/] ({plural(warnings, 'warning')})")
    else:
        console.print(f"\n[red]{plural(errors, 'error')}[/], {plural(warnings, 'warning')}")
