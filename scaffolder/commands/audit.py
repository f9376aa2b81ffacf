"""``scaffolder audit``: diff and standards over a fleet of repos, in one process pool."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scaffolder.commands.options import catalog_option, report_options, trust_option

if TYPE_CHECKING:
    from scaffolder.reports.model import RepoReport


@click.command("audit")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--from-file",
    "list_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A file listing repo paths, one a line.",
)
@click.option("--against", metavar="VERSION", help="Target version (default: latest).")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: one per core).",
)
@click.option(
    "--html",
    "html_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write a self-contained HTML report with charts to this file.",
)
@catalog_option
@trust_option
@report_options
def command(
    paths: tuple[Path, ...],
    list_file: Path | None,
    against: str | None,
    jobs: int | None,
    fmt: str,
    html_file: Path | None,
    fail_level: str | None,
    catalogs: tuple[str, ...],
    trust: bool,
) -> int:
    """Audit many repos: PATHs are repos, or folders whose sub-folders are repos.

    A repo that cannot be checked gets its own error and never stops the run. Renders are
    shared: repos with the same golden path, version and answers render once per worker.

    Exit codes: 0 nothing to report, 2 drift, failed rules or unreadable repos, 1 error.
    """
    from scaffolder.audit import expand_paths, read_list
    from scaffolder.commands.diff import report_fails
    from scaffolder.errors import AnswerError, ExitCode
    from scaffolder.reports import formatter
    from scaffolder.reports.summary import print_summary

    repos = expand_paths(paths) + (read_list(list_file) if list_file else [])
    if not repos:
        raise AnswerError(
            "no repos to audit", hint="pass repo folders, a folder of repos, or --from-file LIST"
        )
    reports = _run(repos, catalogs, trust, against, jobs)
    if html_file is not None:
        from scaffolder.reports.html import render_html

        html_file.write_text(render_html(reports), encoding="utf-8")
    if fmt == "text":
        print_summary(reports)
    else:
        click.echo(formatter(fmt)(reports), nl=False)
    if html_file is not None:
        click.echo(f"HTML report: {html_file}", err=True)
    failing = any(report_fails(r, fail_level) for r in reports)
    return int(ExitCode.FINDINGS if failing else ExitCode.OK)


def _run(
    repos: list[Path],
    catalogs: tuple[str, ...],
    trust: bool,
    against: str | None,
    jobs: int | None,
) -> list[RepoReport]:
    from scaffolder.audit import audit

    if not sys.stderr.isatty():
        return audit(repos, catalogs=catalogs, trust=trust, against=against, jobs=jobs)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("auditing", total=len(repos))
        return audit(
            repos,
            catalogs=catalogs,
            trust=trust,
            against=against,
            jobs=jobs,
            progress=lambda n: bar.advance(task, n),
        )
