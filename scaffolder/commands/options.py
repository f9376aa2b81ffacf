"""Options shared by several commands, so they read and behave the same everywhere."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from scaffolder.catalog import Catalog

F = TypeVar("F", bound=Callable[..., Any])


def catalog_option(func: F) -> F:
    return click.option(
        "--catalog",
        "catalogs",
        multiple=True,
        metavar="DIR",
        help="An organisation catalog to search before the built-in one (repeatable; "
        "default: $SCAFFOLDER_CATALOG, separated by ':').",
    )(func)


def complete_golden_paths(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Shell completion of golden-path names, from --catalog (if typed before) or the default."""
    from click.shell_completion import CompletionItem

    from scaffolder.catalog import load_catalog
    from scaffolder.errors import ScaffolderError

    try:
        catalog = load_catalog(ctx.params.get("catalogs") or ())
    except ScaffolderError:  # a broken catalog offers nothing rather than an error mid-line
        return []
    return [
        CompletionItem(gp.name, help=gp.title) for gp in catalog if gp.name.startswith(incomplete)
    ]


def template_options(func: F) -> F:
    """``--template URL[@REF]`` and ``--checkout REF``: a template straight from git."""
    func = click.option(
        "--checkout",
        metavar="REF",
        help="With --template: the tag, branch or commit to use (default: the latest tag).",
    )(func)
    return click.option(
        "--template",
        metavar="URL[@REF]",
        help="A copier or cookiecutter template in git (URL or local path) instead of a "
        "catalog golden path.",
    )(func)


def check_template_options(template: str | None, checkout: str | None) -> None:
    """``--checkout`` names a git ref of ``--template``; a catalog golden path takes --version."""
    if checkout is not None and template is None:
        from scaffolder.errors import AnswerError

        raise AnswerError(
            "--checkout goes with --template",
            hint="for a catalog golden path pass --version; for a template in git add"
            " --template URL",
        )


def with_template(
    catalog: Catalog,
    golden_path: str | None,
    template: str | None,
    checkout: str | None,
    version: str | None,
    engine: str | None = None,
) -> tuple[Catalog, str | None, str | None]:
    """(catalog, golden path, version) once ``--template`` is resolved into the catalog,
    the golden path read in the format ``--engine`` names."""
    check_template_options(template, checkout)
    if template is None:
        return with_engine(catalog, golden_path, engine), golden_path, version
    if golden_path is not None:
        from scaffolder.errors import AnswerError

        raise AnswerError(
            "give either a golden path or --template, not both",
            hint="--template names the template by its git URL or path",
        )
    catalog, name, ref = catalog.with_template(template, checkout)
    return with_engine(catalog, name, engine), name, ref or version


# ``--engine``: how a template is read and rendered. ``cookiecutter`` reads cookiecutter.json;
# ``native`` (scaffolder's renderer) and ``copier`` (copier's library) read copier.yml and
# force that renderer. Left out, a repo's record picks the format of a template that ships
# both (else copier.yml) and the classifier picks the renderer (scaffolder.engines).
# One option for both choices, kept here so every command offers the same values.
ENGINES = ("native", "copier", "cookiecutter")


def engine_option(func: F) -> F:
    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default=None,
        help="How to read and render the template: cookiecutter reads cookiecutter.json; "
        "native (scaffolder's renderer) or copier (copier's library) reads copier.yml and "
        "renders with that engine. Default: a repo's record picks the format of a template "
        "that ships both (else copier.yml), and scaffolder picks the renderer "
        "(`scaffolder questions` says which).",
    )(func)


def template_format(engine: str | None) -> str | None:
    """The template format an ``--engine`` value reads: ``copier``, ``cookiecutter`` or None."""
    if engine is None:
        return None
    return "cookiecutter" if engine == "cookiecutter" else "copier"


def with_engine(catalog: Catalog, golden_path: str | None, engine: str | None) -> Catalog:
    """The catalog with ``golden_path`` read in the format ``--engine`` names, and rendered
    by the engine it names (native or copier)."""
    if golden_path is None or engine is None:
        return catalog
    renderer = None if engine == "cookiecutter" else engine
    return catalog.with_format(golden_path, template_format(engine), renderer)


def trust_option(func: F) -> F:
    return click.option(
        "--trust",
        is_flag=True,
        help="Let the templates used in this run run their code (cookiecutter hooks, local "
        "Jinja extensions). Permanent trust: `trust:` in the settings file.",
    )(func)


def data_options(func: F) -> F:
    func = click.option(
        "--data-file",
        "data_files",
        multiple=True,
        type=click.Path(path_type=Path, dir_okay=False),
        metavar="FILE",
        help="Answers as a YAML or JSON mapping (repeatable; later files win).",
    )(func)
    return click.option(
        "--data",
        "-d",
        "data",
        multiple=True,
        metavar="KEY=VALUE",
        help="Answer one question (repeatable; wins over --data-file). Lists as [a, b] or a,b.",
    )(func)


REPORT_FORMATS = ("text", "json", "sarif", "junit", "markdown", "codequality")
FAIL_LEVELS = ("bronze", "silver", "gold")


def format_option(
    *formats: str, help: str = "Output format of the result (on stdout)."
) -> Callable[[F], F]:
    """``--format``/``-o`` FORMAT (first of ``formats`` by default) and ``--json``, its alias.

    The command receives ``fmt``; ``--json`` arrives as ``fmt="json"`` (gh spells it
    ``--json``, kubectl ``-o json``: both work everywhere). Results go to stdout in every
    format; with a machine format nothing else is written to stdout.
    """
    default = formats[0]

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, fmt: str | None, as_json: bool, **kwargs: Any) -> Any:
            if as_json and fmt not in (None, "json"):
                raise click.UsageError(f"--json and --format {fmt} contradict each other")
            return func(*args, fmt="json" if as_json else fmt or default, **kwargs)

        wrapped = click.option("--json", "as_json", is_flag=True, help="Same as --format json.")(
            wrapper
        )
        return cast(
            F,
            click.option(
                "--format",
                "-o",
                "fmt",
                type=click.Choice(formats),
                default=None,  # None: not given, so --json may set it
                help=f"{help}  [default: {default}]",
            )(wrapped),
        )

    return decorate


def report_options(func: F) -> F:
    """``--format`` and ``--fail-level``, as diff and audit share them."""
    func = click.option(
        "--fail-level",
        type=click.Choice(FAIL_LEVELS),
        default=None,
        help="Exit 2 only for failed rules at or below this level (drift alone passes).",
    )(func)
    return format_option(*REPORT_FORMATS, help="Output format of the report (on stdout).")(func)


def answers_file_option(func: F) -> F:
    return click.option(
        "--answers-file",
        default=None,
        help="Which record to use, in a repo with several (a baseline's tenants). "
        "Default: .copier-answers.yml, else cruft's .cruft.json.",
    )(func)
