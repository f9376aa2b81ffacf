"""``scaffolder crds``: the upstream CRDs that `validate` checks custom resources against."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scaffolder.commands.options import catalog_option


@click.group("crds")
def command() -> None:
    """The CRD schemas `scaffolder validate` reads: --crd-dir, $SCAFFOLDER_CRD_DIR, the user
    cache (`crds fetch`) and the bundle built into scaffolder, in that order."""


def _pins(repos: tuple[Path, ...], catalogs: tuple[str, ...]) -> dict[tuple[str, str], list[str]]:
    """``{(project, version): pinned by}`` of the repos, or of every catalog golden path."""
    from scaffolder.validate.pins import catalog_crd_pins, repo_pins

    if not repos:
        return catalog_crd_pins(catalogs)
    out: dict[tuple[str, str], list[str]] = {}
    for repo in repos:
        for project, version in (repo_pins(repo, catalogs).crds or {}).items():
            out.setdefault((project, version), []).append(str(repo))
    return dict(sorted(out.items()))


repos_option = click.option(
    "--repo",
    "repos",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="What these repos' golden paths pin (default: every golden path in the catalog, "
    "all versions).",
)


@command.command("fetch")
@click.option(
    "--crd-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="SCAFFOLDER_CRD_DIR",
    help="Where to put them (default: $SCAFFOLDER_CRD_DIR, else the user cache, "
    "~/.cache/scaffolder/crds).",
)
@repos_option
@click.option("--mirror", metavar="URL", help="Download from this mirror instead of upstream.")
@click.option("--force", is_flag=True, help="Download again folders that already exist.")
@click.option(
    "--include-bundled",
    is_flag=True,
    help="Download also the CRDs bundled with scaffolder (skipped by default: validate "
    "already has them offline).",
)
@catalog_option
def fetch(
    crd_dir: Path | None,
    repos: tuple[Path, ...],
    mirror: str | None,
    force: bool,
    include_bundled: bool,
    catalogs: tuple[str, ...],
) -> None:
    """Download pinned CRD versions into CRD_DIR/<project>-<version>/."""
    from scaffolder.crds_fetch import fetch as do_fetch
    from scaffolder.validate.crd_bundle import bundled_folders
    from scaffolder.validate.crds import user_cache_dir

    target = crd_dir or user_cache_dir()
    bundled = set() if include_bundled else set(bundled_folders())
    wanted: dict[str, set[str]] = {}
    for project, version in _pins(repos, catalogs):
        if f"{project}-{version}" in bundled:
            click.echo(f"{project}-{version}: built in, not downloaded", err=True)
        else:
            wanted.setdefault(project, set()).add(version)
    results, failures = do_fetch(target, wanted, mirror=mirror, force=force)
    for result in results:
        state = "already there" if result.skipped else "downloaded"
        click.echo(f"{result.folder}: {result.crds} CRDs {state} ({target})", err=True)
    if failures:
        from scaffolder.errors import ScaffolderError

        raise ScaffolderError(
            "; ".join(failures), hint="the others were fetched; check the network or pass --mirror"
        )


def _grouped(pinned_by: list[str]) -> str:
    """ "service 1.1.0", "service 2.0.0" -> "service 1.1.0, 2.0.0"."""
    versions: dict[str, list[str]] = {}
    for entry in pinned_by:
        name, _, version = entry.rpartition(" ")
        versions.setdefault(name or version, []).append(version if name else "")
    return "; ".join(f"{n} {', '.join(v)}".strip() for n, v in versions.items())


@command.command("list")
@click.option(
    "--crd-dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Look here first, as `validate --crd-dir` does.",
)
@repos_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array on stdout.")
@catalog_option
def list_(
    crd_dir: Path | None, repos: tuple[Path, ...], as_json: bool, catalogs: tuple[str, ...]
) -> None:
    """Show every pinned CRD version and where `validate` finds it.

    SOURCE is --crd-dir, $SCAFFOLDER_CRD_DIR, user cache, built-in or missing; missing ones
    need `scaffolder crds fetch`.
    """
    from scaffolder.validate.crds import crd_sources, locate

    pins = _pins(repos, catalogs)
    found, missing = locate([f"{p}-{v}" for p, v in pins], crd_sources(crd_dir))
    rows: list[tuple[str, str, str, str | None, list[str]]] = []
    for (project, version), pinned_by in pins.items():
        source = found.get(f"{project}-{version}")
        where = source.location(f"{project}-{version}") if source else None
        rows.append((project, version, source.label if source else "missing", where, pinned_by))
    if as_json:
        keys = ("project", "version", "source", "location", "pinned_by")
        click.echo(json.dumps([dict(zip(keys, row, strict=True)) for row in rows], indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="Pinned CRDs", title_justify="left", expand=False)
        for i, column in enumerate(("project", "version", "source")):
            width = max([len(column), *(len(str(r[i])) for r in rows)])
            table.add_column(column, no_wrap=True, min_width=width)
        table.add_column("pinned by", overflow="fold")
        for project, version, label, _, pinned_by in rows:
            shown = f"[red]{label}[/red]" if label == "missing" else label
            table.add_row(project, version, shown, _grouped(pinned_by))
        Console().print(table)
    if missing:
        fix = " ".join(f"--repo {r}" for r in repos)
        click.echo(
            f"{len(missing)} pinned CRD version(s) not available offline: {', '.join(missing)}; "
            f"download with `scaffolder crds fetch{' ' + fix if fix else ''}`",
            err=True,
        )
