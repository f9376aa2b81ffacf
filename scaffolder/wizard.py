"""The terminal wizard behind ``scaffolder new`` on a terminal.

It walks a person through golden path, version, the golden path's questions (one questionary
widget per question type, help text shown, defaults computed from earlier answers, ``when``
honoured, validation at the prompt), the destination, and a summary to generate, change an
answer or cancel. Answers go through the same :func:`resolve_answers` as the flags, so a
wizard session and ``--data-file`` of its saved answers give identical repos.

Ctrl-C or Ctrl-D raise out of ``unsafe_ask``; the CLI's error boundary turns them into exit
130 "cancelled, nothing written". Nothing is written before the summary says "generate".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import questionary
import yaml

from scaffolder.catalog import Catalog, GoldenPath, GoldenPathVersion
from scaffolder.errors import AnswerError, Cancelled, DestinationError
from scaffolder.questions import (
    MISSING,
    Answers,
    Evaluator,
    Question,
    cast,
    format_value,
    resolve_answers,
)

# Rendering, rich and the writer are imported after the first prompt is on screen: the first
# prompt must appear within 0.5 s of starting (bench/bench_wizard.py measures it).
if TYPE_CHECKING:
    from rich.console import Console

    from scaffolder.generate import GenerateResult

KIND_TITLES = {"service": "Services and workloads", "baseline": "Cluster baselines"}
GENERATE, CHANGE, CANCEL = "generate", "change", "cancel"
_STYLE = questionary.Style([("help", "fg:ansibrightblack italic"), ("qmark", "fg:ansicyan bold")])


def run_wizard(
    catalog: Catalog,
    *,
    golden_path: str | None,
    dest: Path | None,
    version: str | None,
    provided: Mapping[str, Any],
    git: bool,
    save_answers: Path | None,
    console: Console | None = None,
    checkout: str | None = None,
) -> GenerateResult:
    """Ask what is missing, confirm on a summary, then generate."""
    gp = catalog.get(golden_path) if golden_path else _choose_golden_path(catalog)
    chosen = gp.version(version) if version else _choose_version(gp)

    from scaffolder.console import stderr_console
    from scaffolder.generate import Plan, generate, renderer_for
    from scaffolder.next_steps import print_next_steps

    console = console or stderr_console()
    renderer = renderer_for(chosen)
    questions = renderer.config.questions
    from scaffolder.template_messages import before_copy, show

    show(before_copy(gp, chosen, renderer, dest, checkout=checkout))  # before any question
    answers = resolve_answers(questions, renderer.evaluator, provided, ask=ask)
    target = dest if dest is not None else _ask_destination(answers)
    skipped_hooks = getattr(renderer, "skipped_hooks", ())
    while True:
        _print_summary(console, gp, chosen.version, answers, questions, target)
        if skipped_hooks:
            console.print(
                f"[yellow]The template's hooks ({', '.join(skipped_hooks)}) will not run:"
                " it is not trusted. Cancel and pass --trust to run them.[/]"
            )
        action = questionary.select(
            "Ready?",
            choices=[
                questionary.Choice("Generate the repo", GENERATE),
                questionary.Choice("Change an answer", CHANGE),
                questionary.Choice("Cancel (nothing is written)", CANCEL),
            ],
            style=_STYLE,
        ).unsafe_ask()
        if action == GENERATE:
            break
        if action == CANCEL:
            raise Cancelled()
        answers, target = _change_answer(questions, renderer.evaluator, answers, target)
    the_plan = Plan(gp, chosen, answers, checkout=checkout)
    with console.status("Rendering…") as status:
        result = generate(the_plan, target, git=git, progress=status.update)
    if save_answers is not None:
        from scaffolder.data import save_answers_file

        save_answers_file(save_answers, the_plan.record())
        console.print(f"Answers saved to {save_answers} (replay with --data-file).")
    print_next_steps(result, console, console)
    return result


def _choose_golden_path(catalog: Catalog) -> GoldenPath:
    choices: list[questionary.Choice | questionary.Separator] = []
    by_kind: dict[str, list[GoldenPath]] = {}
    for gp in catalog:
        by_kind.setdefault(gp.kind, []).append(gp)
    for kind, members in by_kind.items():
        choices.append(questionary.Separator(f"── {KIND_TITLES.get(kind, kind)} ──"))
        width = max(len(m.name) for m in members)
        choices.extend(
            questionary.Choice(f"{m.name.ljust(width)}  {m.description or m.title}", m.name)
            for m in members
        )
    name = questionary.select("Which golden path?", choices=choices, style=_STYLE).unsafe_ask()
    return catalog.get(name)


def _choose_version(gp: GoldenPath) -> GoldenPathVersion:
    if len(gp.versions) == 1:
        return gp.latest
    choices = [
        questionary.Choice(f"{v.version}{'  (latest)' if v is gp.latest else ''}", v.version)
        for v in reversed(gp.versions)
    ]
    picked = questionary.select(
        "Which version?", choices=choices, default=gp.latest.version, style=_STYLE
    ).unsafe_ask()
    return gp.version(picked)


def ask(
    question: Question, evaluator: Evaluator, context: Mapping[str, Any], current: Any = MISSING
) -> Any:
    """Prompt for one question with the widget its type calls for; returns a valid value."""
    default = current if current is not MISSING else evaluator.default(question, context)
    # No help text: the title is the name, said once.
    message = (
        question.name if question.title == question.name else f"{question.name}: {question.title}"
    )
    instruction = _instruction(question)

    def problem(raw: Any) -> bool | str:
        try:
            value = cast(question, raw)
        except AnswerError as exc:
            return exc.message.split(": ", 1)[-1]
        return evaluator.problem(question, value, context) or True

    if question.choices:
        options = evaluator.choices(question, context)
        if question.multiselect:
            picked = set(map(_key, default)) if isinstance(default, list) else set()
            return questionary.checkbox(
                message,
                instruction=instruction,
                style=_STYLE,
                validate=problem,
                choices=[
                    questionary.Choice(c.label, c.value, checked=_key(c.value) in picked)
                    for c in options
                ],
            ).unsafe_ask()
        values = [c.value for c in options]
        return questionary.select(
            message,
            instruction=instruction,
            style=_STYLE,
            choices=[questionary.Choice(c.label, c.value) for c in options],
            default=default if default in values else None,
        ).unsafe_ask()
    if question.type == "bool":
        return questionary.confirm(
            message,
            default=bool(default) if default is not MISSING else False,
            style=_STYLE,
            instruction=instruction,
        ).unsafe_ask()
    if question.secret:
        raw = questionary.password(
            message, validate=problem, style=_STYLE, instruction=instruction
        ).unsafe_ask()
        return cast(question, raw if raw != "" or default is MISSING else default)
    raw = questionary.text(
        message,
        default=_as_text(question, default),
        validate=problem,
        instruction=instruction,
        style=_STYLE,
    ).unsafe_ask()
    return cast(question, raw)


def _instruction(question: Question) -> str | None:
    extra = "\n".join(question.help.strip().splitlines()[1:]).strip()
    hint = "(space to select, enter to confirm)" if question.multiselect else ""
    return " ".join(p for p in (f"({extra})" if extra else "", hint) if p) or None


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _as_text(question: Question, value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    if question.type in ("yaml", "json") and not isinstance(value, str):
        dumped = (
            json.dumps(value)
            if question.type == "json"
            else yaml.safe_dump(value, default_flow_style=True).strip()
        )
        return str(dumped)
    return format_value(value)


def _ask_destination(answers: Answers, current: Path | None = None) -> Path:
    name = answers.values.get("name")
    suggestion = current or Path(f"./{name}" if isinstance(name, str) and name else "./new-repo")

    from scaffolder.writer import check_destination

    def problem(raw: str) -> bool | str:
        if not raw.strip():
            return "enter a folder to create"
        try:
            check_destination(Path(raw).expanduser().absolute())
        except DestinationError as exc:
            return exc.message
        return True

    raw = questionary.text(
        "Where should the repo be created?", default=str(suggestion), validate=problem, style=_STYLE
    ).unsafe_ask()
    return Path(raw).expanduser()


def _change_answer(
    questions: tuple[Question, ...], evaluator: Evaluator, answers: Answers, target: Path
) -> tuple[Answers, Path]:
    choices = [
        questionary.Choice(f"{q.name} = {_display(q, answers.values[q.name])}", q.name)
        for q in questions
        if q.name in answers.values
    ]
    choices.append(questionary.Choice(f"destination = {target}", "__dest__"))
    picked = questionary.select("Which answer?", choices=choices, style=_STYLE).unsafe_ask()
    if picked == "__dest__":
        return answers, _ask_destination(answers, target)
    question = next(q for q in questions if q.name == picked)
    context = {**answers.computed, **answers.values}
    value = ask(question, evaluator, context, current=answers.values[picked])
    # Re-resolve so `when` conditions and dependent questions follow the change; answers given
    # so far are kept, questions that now apply for the first time are asked.
    kept = {**answers.values, picked: value}
    return resolve_answers(questions, evaluator, kept, ask=ask), target


def _display(question: Question, value: Any) -> str:
    if question.secret:
        return "•••••• (secret, not recorded)" if value else "(empty)"
    return format_value(value)


def _print_summary(
    console: Console,
    gp: GoldenPath,
    version: str,
    answers: Answers,
    questions: tuple[Question, ...],
    target: Path,
) -> None:
    from rich.table import Table

    table = Table(title=f"{gp.name} {version} → {target}", title_justify="left")
    table.add_column("question", style="bold")
    table.add_column("answer")
    table.add_column("help", style="dim")
    for q in questions:
        if q.name in answers.values:
            table.add_row(
                q.name, _display(q, answers.values[q.name]), "" if q.title == q.name else q.title
            )
    console.print(table)
