"""``scaffolder crds``: the upstream CRDs that `validate` checks custom resources against."""

from __future__ import annotations

from pathlib import Path

import click

from scaffolder.commands.options import catalog_option


@click.group("crds")
def command() -> None:
    """Manage the CRD folder `scaffolder validate` reads ($SCAFFOLDER_CRD_DIR)."""


@command.command("fetch")
@click.option(
    "--crd-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="SCAFFOLDER_CRD_DIR",
    required=True,
    help="Where to put them (default: $SCAFFOLDER_CRD_DIR).",
)
@click.option(
    "--repo",
    "repos",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Fetch what these repos' golden paths pin (default: every golden path in "
    "the catalog, all versions).",
)
@click.option("--mirror", metavar="URL", help="Download from this mirror instead of upstream.")
@click.option("--force", is_flag=True, help="Download again folders that already exist.")
@catalog_option
def fetch(
    crd_dir: Path,
    repos: tuple[Path, ...],
    mirror: str | None,
    force: bool,
    catalogs: tuple[str, ...],
) -> None:
    """Download the pinned CRD versions into CRD_DIR/<project>-<version>/."""
    from scaffolder.catalog import load_catalog
    from scaffolder.crds_fetch import fetch as do_fetch
    from scaffolder.crds_fetch import wanted_pins
    from scaffolder.validate.pins import repo_pins

    pin_sets = []
    if repos:
        for repo in repos:
            pins = repo_pins(repo, catalogs)
            pin_sets.append(dict(pins.crds or {}))
    else:
        from scaffolder.generate import renderer_for

        for gp in load_catalog(catalogs):
            for version in gp.versions:
                renderer = renderer_for(version)
                pins_question = renderer.config.question("pins")
                if pins_question is None:
                    continue
                pins = renderer.evaluator.default(pins_question, {})
                if isinstance(pins, dict) and isinstance(pins.get("crds"), dict):
                    pin_sets.append({str(k): str(v) for k, v in pins["crds"].items()})
    results, failures = do_fetch(crd_dir, wanted_pins(pin_sets), mirror=mirror, force=force)
    for result in results:
        state = "already there" if result.skipped else "downloaded"
        click.echo(f"{result.folder}: {result.crds} CRDs {state}", err=True)
    if failures:
        from scaffolder.errors import ScaffolderError

        raise ScaffolderError(
            "; ".join(failures), hint="the others were fetched; check the network or pass --mirror"
        )
