"""``scaffolder questions``: a golden path's questions, for people and for form builders."""

from __future__ import annotations

import json

import click

from scaffolder.commands.options import (
    catalog_option,
    complete_golden_paths,
    engine_option,
    format_option,
    template_options,
    trust_option,
    with_template,
)


@click.command("questions")
@click.argument("golden_path", required=False, shell_complete=complete_golden_paths)
@catalog_option
@template_options
@engine_option
@trust_option
@click.option("--version", "version", metavar="V", help="Golden-path version (default: latest).")
@format_option(
    "text",
    "json",
    "json-schema",
    help="Output format: json lists the questions, json-schema is a JSON Schema (draft-07) "
    "of the answers for form builders.",
)
@click.option("--json-schema", "as_schema", is_flag=True, help="Same as --format json-schema.")
@click.option(
    "--raw", is_flag=True, help="Show Jinja defaults and conditions as written, not explained."
)
def command(
    golden_path: str | None,
    catalogs: tuple[str, ...],
    template: str | None,
    checkout: str | None,
    engine: str | None,
    trust: bool,
    version: str | None,
    fmt: str,
    as_schema: bool,
    raw: bool,
) -> None:
    """Show GOLDEN_PATH's (or --template's) questions: type, help, default, choices and when
    each is asked.

    Defaults and conditions written in Jinja are explained ("asked when cni is cilium",
    "<cluster_name>.example.internal", "by provider: aws → eu-west-1, ..."); --raw shows the
    Jinja as written. Questions the golden path computes itself (`when: false`) are not listed.
    """
    from scaffolder.catalog import load_catalog
    from scaffolder.errors import AnswerError
    from scaffolder.generate import renderer_for
    from scaffolder.questions import MISSING

    if as_schema:
        if fmt not in ("text", "json-schema"):
            raise click.UsageError(f"--json-schema and --format {fmt} contradict each other")
        fmt = "json-schema"
    catalog, golden_path, version = with_template(
        load_catalog(catalogs, trust=trust), golden_path, template, checkout, version, engine
    )
    if golden_path is None:
        raise AnswerError("missing GOLDEN_PATH", hint="pass a golden path name or --template URL")
    gp = catalog.get(golden_path)
    chosen = gp.version(version)
    renderer = renderer_for(chosen)
    config = renderer.config
    if fmt == "json-schema":
        from scaffolder.schema import questions_schema

        schema = questions_schema(config.questions, title=gp.title, description=gp.description)
        click.echo(
            json.dumps(
                {
                    **schema,
                    "x-scaffolder-golden-path": gp.name,
                    "x-scaffolder-version": chosen.version,
                },
                indent=2,
                default=str,
            )
        )
        return
    questions = [q for q in config.questions if not q.computed]
    rows = [
        {
            "name": q.name,
            "type": q.type,
            "help": q.help,
            "required": q.required,
            "default": None if q.default is MISSING else q.default,
            "choices": [{"label": c.label, "value": c.value} for c in q.choices],
            "multiselect": q.multiselect,
            "secret": q.secret,
            "when": q.when,
        }
        for q in questions
    ]
    if fmt == "json":
        click.echo(
            json.dumps(
                {"golden_path": gp.name, "version": chosen.version, "questions": rows},
                indent=2,
                default=str,
            )
        )
        return

    import shutil

    from scaffolder.question_text import render_questions

    # A terminal's width (or $COLUMNS), capped for reading; 80 columns when piped.
    width = max(40, min(shutil.get_terminal_size((80, 24)).columns, 100))
    title = f"{gp.name} {chosen.version}"
    click.echo(
        render_questions(title, config.questions, renderer.evaluator, width=width, raw=raw),
        nl=False,
    )
