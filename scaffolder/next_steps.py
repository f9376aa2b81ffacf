"""What to tell a person after a repo was generated: what was made and what to do next."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel

from scaffolder.console import stderr_console, stdout_console
from scaffolder.generate import GenerateResult
from scaffolder.output import plural


def next_steps(result: GenerateResult) -> list[tuple[str, str]]:
    """(command, why) pairs; ``why`` may be empty."""
    files = set(result.files)
    steps = [(f"cd {result.destination}", "")]
    if "Makefile" in files:
        steps.append(("make test", "the repo's own tests"))
    if "mkdocs.yml" in files:
        steps.append(("see docs/", "runbook, rollback plan (TechDocs)"))
    if result.commit:
        steps.append(("git remote add origin <your remote> && git push -u origin main", ""))
    else:
        steps.append(("git init && git add -A && git commit", "--no-git skipped this"))
    return steps


def next_steps_text(result: GenerateResult) -> str:
    """The steps, one a line, their ``# why`` comments in one column."""
    steps = next_steps(result)
    width = max((len(command) for command, why in steps if why), default=0)
    return "\n".join(f"{command:<{width}}   # {why}" if why else command for command, why in steps)


def print_next_steps(
    result: GenerateResult, console: Console | None = None, said: Console | None = None
) -> None:
    """What was made and what to do next on ``console`` (stdout); what the template said
    after generating on ``said`` (stderr: stdout keeps the result)."""
    console = console or stdout_console()
    if result.messages:
        (said or stderr_console()).print(
            Panel(
                "\n\n".join(result.messages),
                title="From the template",
                title_align="left",
                expand=False,
            ),
            markup=False,
        )
    commit = f", first commit {result.commit[:8]}" if result.commit else ""
    console.print(
        f"[bold green]Generated[/] {result.golden_path} {result.version} in "
        f"[bold]{result.destination}[/] ({plural(len(result.files), 'file')}{commit})."
    )
    console.print(
        Panel(next_steps_text(result), title="Next steps", title_align="left", expand=False)
    )
