"""Question names are identifiers, and exported text can never form a Backstage expression.

A question name reaches Jinja contexts, ``--data KEY=VALUE``, JSON Schema property names and
Backstage step inputs (``${{ parameters.NAME }}``), so the catalog accepts only
``^[A-Za-z_][A-Za-z0-9_]*$`` (copier and cookiecutter alike). Text a template controls (titles,
help, choices, defaults, descriptions) is exported with :func:`escape_expressions`, which breaks
every ``${{`` (an expression), ``{%`` (a Nunjucks tag) and ``{#`` (a comment) that Backstage's
templater would evaluate.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from scaffolder.errors import TemplateError

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPENERS = (("${{", "$ {{"), ("{%", "{ %"), ("{#", "{ #"))


def check_question_name(path: Path, key: object) -> str:
    """``key`` if it is an identifier; otherwise a :class:`TemplateError` naming file and key."""
    if not isinstance(key, str) or not IDENTIFIER.fullmatch(key):
        raise TemplateError(
            f"{path}: question name {key!r} is not an identifier",
            hint="use letters, digits and underscores, not starting with a digit "
            "(for example project_name)",
        )
    return key


def escape_text(text: str) -> str:
    """``text`` with every Backstage/Nunjucks opener broken, so it renders as itself."""
    previous = None
    while previous != text:
        previous = text
        for opener, broken in _OPENERS:
            text = text.replace(opener, broken)
    return text


def escape_expressions(value: Any, keep: frozenset[str] = frozenset()) -> Any:
    """Every string in ``value`` (keys too) escaped, except the expressions in ``keep`` that
    the exporter wrote itself; other values as they are."""
    if isinstance(value, str):
        return value if value in keep else escape_text(value)
    if isinstance(value, dict):
        return {escape_text(str(k)): escape_expressions(v, keep) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [escape_expressions(v, keep) for v in value]
    return value
