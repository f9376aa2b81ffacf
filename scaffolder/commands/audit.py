"""``scaffolder audit``: diff and standards over a fleet of repos, in one process pool."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scaffolder.commands.options import catalog_option, report_options, trust_option

if TYPE_CHECKING:
    from scaffolder.reports.model import RepoReport


@click.command("run")
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
@click.option(
    "--shard",
    metavar="K/N",
    help="Audit only shard K of N (stable: by repo name); merge the JSON reports with "
    "`scaffolder audit merge`.",
)
@click.option(
    "--platform",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    metavar="BASELINE_REPO",
    help="Also prove, for every repo, that the cluster baseline repo BASELINE_REPO provides"
    " everything it needs in each environment (the contract check of `validate --platform`).",
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
    platform: Path | None,
    catalogs: tuple[str, ...],
    trust: bool,
    shard: str | None,
) -> int:
    """Audit many repos: PATHs are repos, or folders whose sub-folders are repos.

    A repo that cannot be checked gets its own error and never stops the run. Renders are
    shared: repos with the same golden path, version and answers render once per worker.

    With --shard K/N only the repos of that shard are checked (a repo's shard follows from
    its folder name, so every job of a CI matrix picks its own); `scaffolder audit merge`
    combines the shards' JSON reports into what one run reports.

    With --platform BASELINE_REPO every repo also gets the platform contract check of
    `validate --platform` (built once per worker); an unmet dependency fails the run whatever
    --fail-level says.

    Exit codes: 0 nothing to report, 2 drift, failed rules, unmet platform contract or
    unreadable repos, 1 error.
    """
    from scaffolder.audit import expand_paths, read_list
    from scaffolder.errors import AnswerError

    repos = expand_paths(paths) + (read_list(list_file) if list_file else [])
    if not repos:
        raise AnswerError(
            "no repos to audit", hint="pass repo folders, a folder of repos, or --from-file LIST"
        )
    extra: dict[str, object] = {}
    if shard is not None:
        from scaffolder.shard import Shard

        part = Shard.parse(shard)
        repos = part.select(repos)
        extra = {"shard": {"index": part.index, "count": part.count}}
    reports = _run(repos, catalogs, trust, against, jobs, platform) if repos else []
    json_doc = None
    if fmt == "json":
        from scaffolder.reports.json_report import document

        json_doc = document(reports, **extra)
    return finish(reports, fmt=fmt, html_file=html_file, fail_level=fail_level, json_doc=json_doc)


def finish(
    reports: Sequence[RepoReport],
    *,
    fmt: str,
    html_file: Path | None,
    fail_level: str | None,
    json_doc: dict[str, Any] | None = None,
) -> int:
    """Print ``reports`` in ``fmt`` (``json_doc``: the JSON as it is) and write the HTML;
    returns the exit code (audit and audit merge end the same way)."""
    from scaffolder.commands.diff import report_fails
    from scaffolder.errors import ExitCode
    from scaffolder.reports import formatter
    from scaffolder.reports.summary import print_summary

    if html_file is not None:
        from scaffolder.reports.html import render_html

        html_file.write_text(render_html(reports), encoding="utf-8")
    if fmt == "text":
        print_summary(reports)
    elif fmt == "json" and json_doc is not None:
        from scaffolder.reports.json_report import dumps

        click.echo(dumps(json_doc), nl=False)
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
    platform: Path | None,
) -> list[RepoReport]:
    from scaffolder.audit import audit

    if platform is not None:
        platform = platform.resolve()
    if not sys.stderr.isatty():
        return audit(
            repos, catalogs=catalogs, trust=trust, against=against, jobs=jobs, platform=platform
        )
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
            platform=platform,
        )
