"""``scaffolder validate``: prove a repo's generated files are real."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scaffolder.commands.options import catalog_option


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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json prints the report on stdout.",
)
@click.option(
    "--platform",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="A cluster-baseline repo: its ValidatingAdmissionPolicies must admit this repo.",
)
@catalog_option
def command(
    path: Path,
    kubernetes_version: str | None,
    crd_dir: Path | None,
    fmt: str,
    platform: Path | None,
    catalogs: tuple[str, ...],
) -> int:
    """Validate the repo at PATH: YAML, kustomize builds, Kubernetes and CRD schemas,
    GitHub workflows, catalog-info.yaml and the semantic rules.

    Exits 2 when anything fails; the report names file, object and field.
    """
    from scaffolder.errors import ExitCode
    from scaffolder.validate.report import print_report
    from scaffolder.validate.runner import ValidateOptions, validate_repo

    report = validate_repo(path, ValidateOptions(kubernetes_version, crd_dir, catalogs, platform))
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2))
    print_report(report)
    return int(ExitCode.OK if report.ok else ExitCode.FINDINGS)
