"""``scaffolder validate``: prove a repo's generated files are real."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scaffolder.commands.options import catalog_option, format_option


@click.command("validate")
@click.argument("path", default=".", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--kubernetes-version",
    metavar="X.Y",
    help="Validate against this Kubernetes version (default: the golden path's pin).",
)
@click.option(
    "--crd-dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder of <project>-<version>/ CRD folders (default: $SCAFFOLDER_CRD_DIR).",
)
@format_option("text", "json", help="Output format of the report (on stdout).")
@catalog_option
def command(
    path: Path,
    kubernetes_version: str | None,
    crd_dir: Path | None,
    fmt: str,
    catalogs: tuple[str, ...],
) -> int:
    """Validate the repo at PATH: YAML, kustomize builds, Kubernetes and CRD schemas,
    GitHub workflows, catalog-info.yaml and the semantic rules.

    Exits 2 when anything fails; the report names file, object and field.
    """
    from scaffolder.errors import ExitCode
    from scaffolder.validate.report import print_report
    from scaffolder.validate.runner import ValidateOptions, validate_repo

    report = validate_repo(path, ValidateOptions(kubernetes_version, crd_dir, catalogs))
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        print_report(report)
    return int(ExitCode.OK if report.ok else ExitCode.FINDINGS)
