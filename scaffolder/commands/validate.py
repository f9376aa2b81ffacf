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
    help="Folder of <project>-<version>/ CRD folders to look in first; then "
    "$SCAFFOLDER_CRD_DIR, the user cache (`scaffolder crds fetch`) and the built-in bundle.",
)
@format_option("text", "json", help="Output format of the report (on stdout).")
@click.option(
    "--platform",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    metavar="BASELINE_REPO",
    help="Also prove the cluster baseline repo BASELINE_REPO provides everything PATH needs"
    " in each environment (docs/guides/platform-contract.md) and that its"
    " ValidatingAdmissionPolicies admit PATH's objects.",
)
@click.option(
    "--since",
    metavar="REF",
    help="Also compare the objects with the repo's at git REF (a branch, tag or commit:"
    " a pull request's base) and fail on every immutable field that changes, which the API"
    " server refuses as an update.",
)
@catalog_option
def command(
    path: Path,
    kubernetes_version: str | None,
    crd_dir: Path | None,
    fmt: str,
    platform: Path | None,
    since: str | None,
    catalogs: tuple[str, ...],
) -> int:
    """Validate the repo at PATH: YAML, kustomize builds, Kubernetes and CRD schemas,
    GitHub workflows, catalog-info.yaml and the semantic rules.

    Exits 2 when anything fails; the report names file, object and field.
    """
    from scaffolder.errors import ExitCode

    _check_dependencies()
    from scaffolder.validate.report import print_report
    from scaffolder.validate.runner import ValidateOptions, validate_repo

    report = validate_repo(
        path, ValidateOptions(kubernetes_version, crd_dir, catalogs, platform, since)
    )
    if platform is not None:
        from scaffolder.validate.contract import check_platform

        report.merge(check_platform(path, platform, catalogs=catalogs))
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        print_report(report)
    return int(ExitCode.OK if report.ok else ExitCode.FINDINGS)


def _check_dependencies() -> None:
    """The packages validate imports are dependencies of scaffolder; an install made with
    ``--no-deps`` lacks them, which is the user's environment to fix, not a bug."""
    import importlib.util

    for module, dist in (
        ("jsonschema", "jsonschema"),
        ("kubernetes_validate", "kubernetes-validate"),
        ("check_jsonschema", "check-jsonschema"),
        ("cel_expr_python", "cel-expr-python"),
    ):
        if importlib.util.find_spec(module) is None:
            from scaffolder import DISTRIBUTION
            from scaffolder.errors import ToolMissingError

            raise ToolMissingError(
                f"`scaffolder validate` needs the Python package {dist}, which is not installed",
                hint=f"install scaffolder with its dependencies: pip install {DISTRIBUTION}",
            )
