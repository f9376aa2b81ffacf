"""``scaffolder list``: the golden paths in the catalog."""

from __future__ import annotations

import json

import click

from scaffolder.commands.options import catalog_option


@click.command("list")
@catalog_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array on stdout.")
def command(catalogs: tuple[str, ...], as_json: bool) -> None:
    """List the golden paths in the catalog, grouped by kind, with their versions."""
    from scaffolder.catalog import load_catalog

    catalog = load_catalog(catalogs)
    if as_json:
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
            }
            for gp in catalog
        ]
        click.echo(json.dumps(rows, indent=2))
        return

    from rich.console import Console
    from rich.table import Table

    table = Table(title="Golden paths", title_justify="left", expand=False)
    for column in ("name", "kind", "latest", "versions", "description"):
        table.add_column(column, no_wrap=column != "description")
    for gp in catalog:
        table.add_row(
            gp.name, gp.kind, gp.latest.version, ", ".join(gp.version_names), gp.description
        )
    Console().print(table)
