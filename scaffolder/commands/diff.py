"""``scaffolder diff``: how one repo differs from its golden path, and which rules it fails."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from scaffolder.commands.options import (
    answers_file_option,
    catalog_option,
    complete_golden_paths,
    data_options,
    engine_option,
    report_options,
    template_options,
    trust_option,
    with_template,
)

if TYPE_CHECKING:
    from scaffolder.reports.model import RepoReport


@click.command("diff")
@click.argument("path", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--against", metavar="VERSION", help="Target version to compare with (default: latest)."
)
@click.option(
    "--golden-path",
    metavar="NAME",
    shell_complete=complete_golden_paths,
    help="Compare a repo scaffolder did not make with this golden path.",
)
@click.option(
    "--version",
    "version",
    metavar="V",
    help="With --golden-path: the version the repo corresponds to (default: latest).",
)
@data_options
@catalog_option
@template_options
@engine_option
@trust_option
@answers_file_option
@report_options
@click.option("--patch", is_flag=True, help="Show unified diffs of changed files (text format).")
def command(
    path: Path,
    against: str | None,
    golden_path: str | None,
    version: str | None,
    data: tuple[str, ...],
    data_files: tuple[Path, ...],
    catalogs: tuple[str, ...],
    template: str | None,
    checkout: str | None,
    engine: str | None,
    trust: bool,
    answers_file: str | None,
    patch: bool,
    fmt: str,
    fail_level: str | None,
) -> int:
    """Compare the repo at PATH with its golden path.

    Every file is classified: unchanged, modified (a deliberate local edit), outdated (the
    golden path changed it), conflicting (both did), deleted locally, added or removed by the
    target version. Recorded answers the target version rejects are reported, and the repo's
    standards level is computed from the rule packs.

    Exit codes: 0 nothing to report, 2 drift or failed rules, 1 error.
    """
    from scaffolder.catalog import load_catalog
    from scaffolder.checkup import check_repo
    from scaffolder.data import merge_answers
    from scaffolder.errors import ExitCode, ProjectError
    from scaffolder.reports import print_reports

    provided = merge_answers(data_files, data)
    catalog, golden_path, version = with_template(
        load_catalog(catalogs, trust=trust), golden_path, template, checkout, version, engine
    )
    report = check_repo(
        path,
        catalog,
        against=against,
        golden_path=golden_path,
        version=version,
        data=provided,
        answers_file=answers_file,
    )
    if report.error:
        raise ProjectError(report.error)
    print_reports([report], fmt, patch=patch)
    return int(ExitCode.FINDINGS if report_fails(report, fail_level) else ExitCode.OK)


def report_fails(report: RepoReport, fail_level: str | None) -> bool:
    """Whether a checked repo should fail the run (exit 2)."""
    from scaffolder.standards.model import Level

    if report.error or report.standards is None:
        return True
    if any(f.severity == "error" for f in report.contract or []):
        return True  # the cluster does not provide what the repo needs: never a level choice
    if fail_level is not None:  # only rules at or below the level count, not drift
        return bool(report.standards.failed(Level.parse(fail_level)))
    failing = report.standards.failed() or report.standards.exemption_problems
    drifted = report.drift is not None and report.drift.has_drift
    return bool(failing or drifted)
