"""``scaffolder adopt``: record a golden path in a repo scaffolder did not make."""

from __future__ import annotations

from pathlib import Path

import click

from scaffolder.commands.options import (
    REPORT_FORMATS,
    catalog_option,
    complete_golden_paths,
    data_options,
    engine_option,
    format_option,
    template_options,
    trust_option,
    with_template,
)


@click.command("adopt")
@click.argument("path", default=".", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--golden-path",
    metavar="NAME",
    shell_complete=complete_golden_paths,
    help="The golden path the repo follows.",
)
@click.option(
    "--version",
    "version",
    metavar="V",
    help="The version the repo corresponds to (default: latest).",
)
@data_options
@catalog_option
@template_options
@engine_option
@trust_option
@click.option("--force", is_flag=True, help="Replace an existing answers file.")
@click.option("--commit", is_flag=True, help="Commit the answers file.")
@format_option(*REPORT_FORMATS, help="Output format of the adopted repo's report (on stdout).")
def command(
    path: Path,
    golden_path: str | None,
    version: str | None,
    data: tuple[str, ...],
    data_files: tuple[Path, ...],
    catalogs: tuple[str, ...],
    template: str | None,
    checkout: str | None,
    engine: str | None,
    trust: bool,
    force: bool,
    commit: bool,
    fmt: str,
) -> int:
    """Record a golden path (--golden-path, or --template for a template in git), its
    version and your answers in the repo at PATH.

    From then on `scaffolder diff` and `scaffolder upgrade` have a real base: the recorded
    version rendered with these answers. Run `scaffolder diff PATH --golden-path NAME
    --data ...` first to choose the version and answers that fit the repo best. For a repo
    made by plain cookiecutter, --template writes cruft's .cruft.json (like `cruft link`),
    and --data-file takes cookiecutter's replay file.
    """
    from scaffolder.catalog import load_catalog
    from scaffolder.checkup import check_repo
    from scaffolder.data import merge_answers
    from scaffolder.errors import AnswerError, DestinationError, ExitCode
    from scaffolder.origin import load_origin
    from scaffolder.reports import print_reports

    catalog, golden_path, version = with_template(
        load_catalog(catalogs, trust=trust), golden_path, template, checkout, version, engine
    )
    if golden_path is None:
        raise AnswerError(
            "which golden path does the repo follow?",
            hint="pass --golden-path NAME (`scaffolder list`) or --template URL[@REF]",
        )
    origin = load_origin(
        path,
        catalog,
        golden_path=golden_path,
        version=version,
        data=merge_answers(data_files, data),
        checkout=version if template is not None else None,  # the ref, as `new` records it
    )
    target = path / origin.answers_file
    if target.exists() and not force:
        raise DestinationError(
            f"{target} already exists",
            hint="the repo already records a golden path; pass --force to replace it",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(origin.record.serialize(), encoding="utf-8")
    if commit:
        from scaffolder.git import commit_paths

        commit_paths(
            path,
            [origin.answers_file],
            f"Adopt golden path {origin.record.golden_path} {origin.record.version}",
        )
    report = check_repo(
        path, catalog, against=origin.record.version, answers_file=origin.answers_file
    )
    click.echo(
        f"recorded {origin.record.golden_path} {origin.record.version} in {target}", err=True
    )
    print_reports([report], fmt)
    return int(ExitCode.OK)
