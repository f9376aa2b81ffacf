"""``scaffolder completion``: the shell completion script (click's), as gh and kubectl offer it."""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_SCAFFOLDER_COMPLETE"  # click's convention: _<PROG>_COMPLETE


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def command(shell: str) -> None:
    """Print the completion script for SHELL on stdout.

    It completes commands, options, choices and file names, and asks scaffolder itself for
    each completion (through $_SCAFFOLDER_COMPLETE), so it follows new versions without
    regenerating.

    \b
    Load it in the current shell:
      bash:  source <(scaffolder completion bash)
      zsh:   source <(scaffolder completion zsh)
      fish:  scaffolder completion fish | source
    \b
    Or for every new shell:
      bash:  scaffolder completion bash > ~/.local/share/bash-completion/completions/scaffolder
      zsh:   scaffolder completion zsh > "${fpath[1]}/_scaffolder"
      fish:  scaffolder completion fish > ~/.config/fish/completions/scaffolder.fish
    """
    from click.shell_completion import get_completion_class

    from scaffolder.cli import cli

    completion_class = get_completion_class(shell)
    assert completion_class is not None  # click registers bash, zsh and fish
    click.echo(completion_class(cli, {}, "scaffolder", COMPLETE_VAR).source())
