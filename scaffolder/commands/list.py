"""``scaffolder list``: the golden paths in the catalog."""

from __future__ import annotations

import json

import click

from scaffolder.commands.options import catalog_option, format_option


@click.command("list")
@catalog_option
@format_option("text", "json", help="Output format (json: an array of golden paths).")
def command(catalogs: tuple[str, ...], fmt: str) -> None:
    """List the golden paths in the catalog, grouped by kind, with their versions."""
    from scaffolder.catalog import load_catalog

    catalog = load_catalog(catalogs)
    if fmt == "json":
        rows = [
            {
                "name": gp.name,
                "kind": gp.kind,
                "title": gp.title,
                "description": gp.description,
                "owner": gp.owner,
                "tags": list(gp.tags),
                "versions": gp.version_names,
                "latest": gp.latest.version,
                "catalog": gp.catalog,
                "engine": gp.latest.engine,  # copier or cookiecutter (of the latest version)
                "source": gp.source.url if gp.source else None,
            }
            for gp in catalog
        ]
        click.echo(json.dumps(rows, indent=2))
        return

    from rich.table import Table

    from scaffolder.console import stdout_console

    table = Table(title="Golden paths", title_justify="left", expand=False)
    columns = ("name", "kind", "engine", "latest", "versions")
    lines = [
        (gp.name, gp.kind, gp.latest.engine, gp.latest.version, ", ".join(gp.version_names))
        for gp in catalog
    ]
    widths = [max([len(c), *(len(line[i]) for line in lines)]) for i, c in enumerate(columns)]
    for column, width in zip(columns, widths, strict=True):
        table.add_column(column, no_wrap=True, min_width=width)
    console = stdout_console()
    # One line a golden path; the description takes the room left (each column costs three
    # characters of padding and border), cut short with an ellipsis, or is left out.
    room = console.width - sum(widths) - 3 * (len(columns) + 1) - 1
    if room >= 20:
        table.add_column("description", no_wrap=True, overflow="ellipsis", max_width=room)
    for gp, line in zip(catalog, lines, strict=True):
        table.add_row(*line, *([gp.description] if room >= 20 else []))
    console.print(table)
