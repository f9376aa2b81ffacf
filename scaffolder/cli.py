"""The ``scaffolder`` command: a lazy click group and the single error boundary.

Commands live one per module in :mod:`scaffolder.commands` and are imported only when run, so
``scaffolder --help`` stays fast (no copier, jinja or rich import). :func:`main` maps every
exception to a documented exit code and a one-line message (docs/reference/exit-codes.md).
"""

from __future__ import annotations

import errno
import importlib
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scaffolder import __version__
from scaffolder.errors import ExitCode, ScaffolderError

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)  # the machine's state, not a bug: exit 1

# name -> (module, one-line help). The help is here so listing commands imports nothing.
COMMANDS: dict[str, tuple[str, str]] = {
    "list": ("scaffolder.commands.list", "List the golden paths in the catalog."),
    "new": ("scaffolder.commands.new", "Generate a new repo from a golden path."),
    "questions": ("scaffolder.commands.questions", "Show a golden path's questions."),
    "adopt": ("scaffolder.commands.adopt", "Record a golden path in a repo made without it."),
    "audit": (
        "scaffolder.commands.audit_group",
        "Audit a fleet of repos against their golden paths.",
    ),
    "backstage": ("scaffolder.commands.backstage", "Export golden paths as Backstage templates."),
    "completion": ("scaffolder.commands.completion", "Print the shell completion script."),
    "crds": ("scaffolder.commands.crds", "Fetch the CRDs that validate checks against."),
    "fleet": ("scaffolder.commands.fleet", "Clone a fleet of repos listed by URL."),
    "diff": ("scaffolder.commands.diff", "Show how a repo differs from its golden path."),
    "upgrade": ("scaffolder.commands.upgrade", "Upgrade a repo or a fleet to a newer golden path."),
    "validate": (
        "scaffolder.commands.validate",
        "Validate a repo's manifests, workflows and catalog.",
    ),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use.

    It also suggests the closest command for a typo (`scaffolder lst`), completes command
    names without importing them, and ends quietly on a broken pipe (`... | head`).
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(entry[0])
        command: click.Command = module.command
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name not in COMMANDS and not name.startswith("-") and not ctx.resilient_parsing:
            from scaffolder.errors import did_you_mean

            hint = did_you_mean(name, COMMANDS)
            raise click.UsageError(f"No such command {name!r}. {hint[0].upper()}{hint[1:]}", ctx)
        return super().resolve_command(ctx, args)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        names = [
            CompletionItem(n, help=h) for n, (_, h) in COMMANDS.items() if n.startswith(incomplete)
        ]
        return names + click.Command.shell_complete(self, ctx, incomplete)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # the reader stopped early (`| head`): not an error
            from scaffolder.output import discard_stdout

            discard_stdout()
            return int(ExitCode.OK)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_text) for name, (_, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scaffolder")
def cli() -> None:
    """Golden paths for platform teams: new repos from versioned templates, cluster
    baselines, drift reports and upgrades.

    Results go to stdout (-o json or --json for machines); progress and errors go to stderr.
    Exit codes: 0 ok, 1 error, 2 findings, 3 conflicts, 4 internal error, 130 cancelled.
    """


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; callable in-process from tests."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return _main(args)
    finally:
        _print_notices()


def _print_notices() -> None:
    from scaffolder import notices

    for message in notices.drain():
        click.echo(" ".join(f"note: {message}".split("\n")), err=True)


def _main(args: list[str]) -> int:
    try:
        result = cli.main(args=args, prog_name="scaffolder", standalone_mode=False)
    except ScaffolderError as exc:
        _error(exc.message, exc.hint)
        return int(exc.exit_code)
    except (KeyboardInterrupt, click.exceptions.Abort, EOFError):
        _error("cancelled, nothing written", None)
        return int(ExitCode.CANCELLED)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        from scaffolder.usage import one_line

        _error(*one_line(exc))
        return int(ExitCode.ERROR)
    except BrokenPipeError:
        return int(ExitCode.OK)
    except OSError as exc:
        if exc.errno not in _DISK_FULL:
            return _internal(exc)
        _error(f"no space left on the device: {exc}", "free some space and run again")
        return int(ExitCode.ERROR)
    except Exception as exc:
        return _internal(exc)
    return int(result) if isinstance(result, int) else int(ExitCode.OK)


def _internal(exc: Exception) -> int:
    log = _write_crash_log()
    _error(
        f"internal error: {type(exc).__name__}: {exc}",
        f"this is a bug in scaffolder; please report it with {log}",
    )
    return int(ExitCode.INTERNAL)


def _error(message: str, hint: str | None) -> None:
    line = f"error: {message}" + (f"; {hint}" if hint else "")
    click.echo(" ".join(line.split("\n")), err=True)


def _write_crash_log() -> Path:
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept for the user to attach
        "w", prefix="scaffolder-crash-", suffix=".log", delete=False, encoding="utf-8"
    )
    with handle:
        handle.write(f"scaffolder {__version__}\nargv: {sys.argv}\n\n")
        handle.write(traceback.format_exc())
    return Path(handle.name)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
