"""``scaffolder new``: generate a repo from a golden path, by flags or through the wizard."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from scaffolder.catalog import Catalog

from scaffolder.commands.options import (
    catalog_option,
    check_template_options,
    complete_golden_paths,
    data_options,
    engine_option,
    format_option,
    template_options,
    trust_option,
    with_engine,
)


@click.command("new")
@click.argument("golden_path", required=False, shell_complete=complete_golden_paths)
@click.argument("dest", required=False, type=click.Path(path_type=Path, file_okay=False))
@data_options
@catalog_option
@template_options
@engine_option
@trust_option
@click.option("--version", "version", metavar="V", help="Golden-path version (default: latest).")
@click.option(
    "--defaults",
    is_flag=True,
    help="Use defaults for every question not answered by --data; never prompt.",
)
@click.option(
    "--save-answers",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Also write the answers (never secrets) to FILE, for --data-file replays.",
)
@click.option("--no-git", is_flag=True, help="Do not run git init and the first commit.")
@click.option(
    "--inherit-from",
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="Read the answers a golden path that adds to a repo inherits (inherit.yml) from the "
    "repo at DIR instead of DEST; DEST may then be an empty folder (the Backstage action).",
)
@format_option("text", "json", help="Output format of the result (json implies no prompts).")
def command(
    golden_path: str | None,
    dest: Path | None,
    data: tuple[str, ...],
    data_files: tuple[Path, ...],
    catalogs: tuple[str, ...],
    template: str | None,
    checkout: str | None,
    engine: str | None,
    trust: bool,
    version: str | None,
    defaults: bool,
    save_answers: Path | None,
    no_git: bool,
    inherit_from: Path | None,
    fmt: str,
) -> None:
    """Generate a new repo in DEST from GOLDEN_PATH (or from --template, then only DEST).

    On a terminal, anything not given is asked by a wizard. Without a terminal (CI, pipes,
    Backstage), or with --defaults or -o json, nothing is asked: questions take --data,
    --data-file or their defaults, and a question without a default is an error naming the
    flag to pass.

    \b
    Examples:
      scaffolder new                                   # the wizard
      scaffolder new service ./payments --defaults --data name=payments
      scaffolder new service ./payments --data-file answers.yml --json
      scaffolder new --template https://git.example.com/cookiecutter-svc@v2.1.0 ./svc
    """
    from scaffolder.catalog import load_catalog
    from scaffolder.data import merge_answers
    from scaffolder.errors import AnswerError
    from scaffolder.generate import generate, plan

    as_json = fmt == "json"
    check_template_options(template, checkout)
    provided = merge_answers(data_files, data)
    catalog = load_catalog(catalogs, trust=trust)
    if template is not None:
        if dest is None and golden_path is not None:  # `new --template URL DEST`
            dest = Path(golden_path)
            golden_path = None
        if golden_path is not None:
            raise AnswerError(
                "give either GOLDEN_PATH or --template, not both",
                hint="with --template, the only argument is DEST",
            )
        catalog, golden_path, checkout = catalog.with_template(template, checkout)
    catalog = with_engine(catalog, golden_path, engine)
    inherit_repo = inherit_from or dest
    if golden_path is not None and inherit_repo is not None:
        provided = _with_inherited(
            catalog, golden_path, version, inherit_repo, provided, named=bool(inherit_from)
        )
    interactive = not (defaults or as_json) and sys.stdin.isatty() and sys.stdout.isatty()
    if interactive:
        from scaffolder.wizard import run_wizard

        run_wizard(
            catalog,
            golden_path=golden_path,
            dest=dest,
            version=checkout or version,
            checkout=checkout,
            provided=provided,
            git=not no_git,
            save_answers=save_answers,
        )
        return
    if golden_path is None or dest is None:
        missing = "GOLDEN_PATH and DEST" if golden_path is None else "DEST"
        raise AnswerError(
            f"missing {missing} (no terminal to ask on)",
            hint="run `scaffolder new GOLDEN_PATH DEST --defaults --data KEY=VALUE`;"
            " `scaffolder list` shows golden paths",
        )
    # --engine native|copier is the version's renderer now (with_engine), wizard or not.
    the_plan = plan(
        catalog, golden_path, version=version, data=provided, checkout=checkout, dest=dest
    )
    progress = None if as_json else _progress
    result = generate(the_plan, dest, git=not no_git, progress=progress)
    if save_answers is not None:
        from scaffolder.data import save_answers_file

        save_answers_file(save_answers, the_plan.record())
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        from scaffolder.next_steps import print_next_steps

        print_next_steps(result)


def _with_inherited(
    catalog: Catalog,
    name: str,
    version: str | None,
    repo: Path,
    provided: dict[str, Any],
    *,
    named: bool = False,
) -> dict[str, Any]:
    """``provided`` over the answers an existing-repo golden path reads from ``repo``'s
    record; ``named``: ``repo`` came from --inherit-from, so it must exist."""
    golden_path = catalog.get(name)
    if golden_path.target != "existing-repo":
        return provided
    if not repo.is_dir():
        if not named:
            return provided
        from scaffolder.errors import AnswerError

        raise AnswerError(
            f"--inherit-from {repo} is not a folder: {name} adds to an existing repo and "
            "reads answers from that repo's record",
            hint="clone or fetch the repo there first (in Backstage: fetch:plain into the "
            "step's targetPath)",
        )
    from scaffolder.inherit import inherited_answers

    return {**inherited_answers(golden_path.version(version), repo), **provided}


def _progress(message: str) -> None:
    click.echo(f"  {message}", err=True)
