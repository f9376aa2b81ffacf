"""``scaffolder adopt``: record a golden path in a repo scaffolder did not make."""

from __future__ import annotations

from pathlib import Path

import click

from scaffolder.commands.options import catalog_option, data_options


@click.command("adopt")
@click.argument("path", default=".", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--golden-path", required=True, metavar="NAME", help="The golden path the repo follows."
)
@click.option(
    "--version",
    "version",
    metavar="V",
    help="The version the repo corresponds to (default: latest).",
)
@data_options
@catalog_option
@click.option("--force", is_flag=True, help="Replace an existing answers file.")
@click.option("--commit", is_flag=True, help="Commit the answers file.")
def command(
    path: Path,
    golden_path: str,
    version: str | None,
    data: tuple[str, ...],
    data_files: tuple[Path, ...],
    catalogs: tuple[str, ...],
    force: bool,
    commit: bool,
) -> int:
    """Record GOLDEN_PATH, its version and your answers in the repo at PATH.

    From then on `scaffolder diff` and `scaffolder upgrade` have a real base: the recorded
    version rendered with these answers. Run `scaffolder diff PATH --golden-path NAME
    --data ...` first to choose the version and answers that fit the repo best.
    """
    from scaffolder.catalog import load_catalog
    from scaffolder.checkup import check_repo
    from scaffolder.data import merge_answers
    from scaffolder.errors import DestinationError, ExitCode
    from scaffolder.origin import load_origin
    from scaffolder.reports.text import print_report

    catalog = load_catalog(catalogs)
    origin = load_origin(
        path,
        catalog,
        golden_path=golden_path,
        version=version,
        data=merge_answers(data_files, data),
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
    print_report(report)
    return int(ExitCode.OK)
