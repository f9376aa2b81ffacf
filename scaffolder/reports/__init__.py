"""Report formats for diff and audit: one module per format, registered by name.

Each takes the same :class:`~scaffolder.reports.model.RepoReport` list and returns text for
stdout; the human text report (:mod:`scaffolder.reports.text`) prints to stdout itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from scaffolder.reports.model import RepoReport

Formatter = Callable[[Sequence[RepoReport]], str]


def formatter(name: str) -> Formatter:
    """The formatter registered under ``name`` (imported on demand)."""
    from scaffolder.reports import codequality, json_report, junit, markdown, sarif

    registry: dict[str, Formatter] = {
        "json": json_report.render,
        "sarif": sarif.render,
        "junit": junit.render,
        "markdown": markdown.render,
        "codequality": codequality.render,
    }
    return registry[name]


FORMATS = ("text", "json", "sarif", "junit", "markdown", "codequality")


def print_reports(reports: Sequence[RepoReport], fmt: str, *, patch: bool = False) -> None:
    """The result of diff and adopt on stdout: the human report, or one machine format."""
    if fmt == "text":
        from scaffolder.console import stdout_console
        from scaffolder.reports.text import print_report

        console = stdout_console()
        for report in reports:
            print_report(report, patch=patch, console=console)
        return
    import click

    click.echo(formatter(fmt)(reports), nl=False)
