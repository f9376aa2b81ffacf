"""``scaffolder backstage``: the golden paths as Backstage software templates."""

from __future__ import annotations

from pathlib import Path

import click

from scaffolder.commands.options import catalog_option, trust_option


@click.group("backstage")
def command() -> None:
    """Backstage integration: export golden paths as Template entities."""


@command.command("export")
@click.argument("outdir", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--golden-path",
    "names",
    multiple=True,
    metavar="NAME",
    help="Export only these (repeatable; default: every golden path that makes a new repo).",
)
@click.option(
    "--publish-action",
    default="publish:github",
    show_default=True,
    help="The publish step's action (publish:gitlab, publish:bitbucketServer...).",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    default=("github.com",),
    show_default=True,
    help="Hosts the RepoUrlPicker offers (repeatable).",
)
@click.option(
    "--namespace",
    default="default",
    show_default=True,
    help="Catalog namespace of the Template entities.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite Template files edited since the last export (and a catalog-info.yaml"
    " that is not a Location).",
)
@catalog_option
@trust_option
def export(
    outdir: Path,
    names: tuple[str, ...],
    publish_action: str,
    allowed_hosts: tuple[str, ...],
    namespace: str,
    force: bool,
    catalogs: tuple[str, ...],
    trust: bool,
) -> None:
    """Write OUTDIR/<golden-path>/template.yaml (scaffolder.backstage.io/v1beta3) for each
    golden path, and OUTDIR/catalog-info.yaml, a Location to register them all at once.

    Templates run the `fetch:golden-path` action of the scaffolder Backstage module
    (docs/backstage.md), then the publish step, then catalog:register. Exporting again
    adds to the Location (it never drops a target) and replaces only Template files
    that are unchanged since they were written; edited ones stop the export (exit 1,
    nothing written) unless --force. Prints the files written.
    """
    from scaffolder.backstage import ExportOptions, export_templates
    from scaffolder.catalog import load_catalog

    options = ExportOptions(publish_action, tuple(allowed_hosts), namespace)
    catalog = load_catalog(catalogs, trust=trust)
    for path in export_templates(catalog, outdir, options, names, force=force):
        click.echo(str(path))
