"""click's usage errors as the one ``error: ...; hint`` line every other failure prints.

click prints a usage banner, a "Try --help" line and ``Error: ...``; scripts and the
Backstage action read one line. The exit code stays 1 (docs/reference/exit-codes.md), since
2 means "a check found something" here.
"""

from __future__ import annotations

import click


def _sentence(text: str) -> str:
    text = " ".join(text.split()).rstrip(".")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def one_line(exc: click.ClickException) -> tuple[str, str | None]:
    """(message, hint) for a click error."""
    ctx = getattr(exc, "ctx", None)
    help_hint = f"see `{ctx.command_path} --help`" if ctx is not None else None
    if isinstance(exc, click.NoSuchOption):
        message = f"no such option {exc.option_name}"
        if exc.possibilities:
            return message, f"did you mean {' or '.join(exc.possibilities)}?"
        return message, help_hint
    if isinstance(exc, click.UsageError):
        return _sentence(exc.format_message()), help_hint
    return _sentence(exc.format_message()), None
