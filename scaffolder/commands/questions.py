"""``scaffolder questions``: a golden path's questions, for people and for form builders."""

from __future__ import annotations

import json

import click

from scaffolder.commands.options import (
    catalog_option,
    engine_option,
    template_options,
    trust_option,
    with_template,
)


@click.command("questions")
@click.argument("golden_path", required=False)
@catalog_option
@template_options
@engine_option
@trust_option
@click.option("--version", "version", metavar="V", help="Golden-path version (default: latest).")
@click.option("--json", "as_json", is_flag=True, help="Print the questions as JSON on stdout.")
@click.option(
    "--json-schema",
    "as_schema",
    is_flag=True,
    help="Print a JSON Schema (draft-07) of the answers on stdout, for form builders.",
)
def command(
    golden_path: str | None,
    catalogs: tuple[str, ...],
    template: str | None,
    checkout: str | None,
    engine: str | None,
    trust: bool,
    version: str | None,
    as_json: bool,
    as_schema: bool,
) -> None:
    """Show GOLDEN_PATH's (or --template's) questions: type, default, choices, when asked."""
    from scaffolder.catalog import load_catalog
    from scaffolder.errors import AnswerError
    from scaffolder.generate import renderer_for
    from scaffolder.questions import MISSING

    catalog, golden_path, version = with_template(
        load_catalog(catalogs, trust=trust), golden_path, template, checkout, version, engine
    )
    if golden_path is None:
        raise AnswerError("missing GOLDEN_PATH", hint="pass a golden path name or --template URL")
    gp = catalog.get(golden_path)
    chosen = gp.version(version)
    config = renderer_for(chosen).config
    if as_schema:
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
    if as_json:
        click.echo(
            json.dumps(
                {"golden_path": gp.name, "version": chosen.version, "questions": rows},
                indent=2,
                default=str,
            )
        )
        return

    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{gp.name} {chosen.version}: questions", title_justify="left")
    for column in ("name", "type", "default", "asked when", "help"):
        table.add_column(column, no_wrap=column in ("name", "type"))
    for row in rows:
        kind = f"{row['type']} (list)" if row["multiselect"] else str(row["type"])
        default = "[red]required[/]" if row["required"] else json.dumps(row["default"])
        when = "always" if row["when"] is True else str(row["when"])
        table.add_row(str(row["name"]), kind, default, when, str(row["help"]))
    Console().print(table)
