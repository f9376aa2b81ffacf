"""``scaffolder audit merge``: the JSON reports of a sharded audit as the report of one run."""

from __future__ import annotations

from pathlib import Path

import click

from scaffolder.commands.options import catalog_option, report_options


@click.command("merge")
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--html",
    "html_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the self-contained HTML report of the whole fleet to this file.",
)
@catalog_option
@report_options
def command(
    reports: tuple[Path, ...],
    html_file: Path | None,
    catalogs: tuple[str, ...],
    fmt: str,
    fail_level: str | None,
) -> int:
    """Merge audit JSON REPORTS (one per shard of `audit --shard K/N`) into one report.

    The merged JSON is byte for byte what one `scaffolder audit` over the whole fleet writes
    (repos in path order, as a folder of repos is audited). Every shard must be there, each
    once, written by the same scaffolder version. Rules' fixes come from the built-in packs
    and the --catalog packs (the JSON carries ids, titles and levels only).

    Exit codes: 0 nothing to report, 2 drift, failed rules or unreadable repos, 1 error.
    """
    from scaffolder.catalog import load_catalog
    from scaffolder.commands.audit import finish
    from scaffolder.reports.merge import known_rules, merged_report, read_report

    roots = [s.path for s in load_catalog(catalogs).sources]
    report, objects = merged_report(
        [(path, read_report(path)) for path in reports], known_rules(roots)
    )
    return finish(objects, fmt=fmt, html_file=html_file, fail_level=fail_level, json_doc=report)
