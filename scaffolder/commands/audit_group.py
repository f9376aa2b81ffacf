"""``scaffolder audit``: the group of ``audit run`` (the default) and ``audit merge``.

``scaffolder audit PATHS...`` has always audited paths, so a first argument that is not a
subcommand name runs ``audit run`` with every argument: ``audit repos/``, ``audit --from-file
LIST`` and ``audit -j 2 repos/`` keep working. Only ``merge`` and ``run`` as the very first
argument select a subcommand; a folder of that name is audited as ``./merge``.
"""

from __future__ import annotations

import click

from scaffolder.commands.audit import command as run_command
from scaffolder.commands.audit_merge import command as merge_command

DEFAULT = "run"


class DefaultGroup(click.Group):
    """A group that runs its default command when the first argument names no subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        help_only = bool(args) and args[0] in ctx.help_option_names
        if not help_only and (not args or args[0] not in self.commands):
            args = [DEFAULT, *args]
        return super().parse_args(ctx, args)


@click.group(
    "audit",
    cls=DefaultGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)
def command() -> None:
    """Audit a fleet of repos against their golden paths.

    `scaffolder audit PATHS...` is short for `scaffolder audit run PATHS...` (see
    `scaffolder audit run --help`); `scaffolder audit merge REPORTS...` combines the JSON
    reports of a sharded run (`audit --shard K/N`) into the report of one run.
    """


command.add_command(run_command, DEFAULT)
command.add_command(merge_command, "merge")
