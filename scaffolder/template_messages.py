"""A template's own messages, copier's ``_message_*`` settings, shown when copier shows them.

copier prints ``_message_before_copy`` before it asks anything, ``_message_after_copy`` once
the project is generated (and its tasks ran), ``_message_before_update`` before an update
touches the repo and ``_message_after_update`` once it is done. Each is rendered with the
context copier has at that moment: the ``before_*`` ones without any answer (a question's
name renders empty there), the ``after_*`` ones with every answer. scaffolder shows them at
the same moments, on stderr, so stdout keeps the result (``new --json`` also lists what the
template said after generating under ``messages``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from scaffolder.questions import Answers

if TYPE_CHECKING:
    from scaffolder.catalog import GoldenPath, GoldenPathVersion
    from scaffolder.engines import TemplateRenderer
    from scaffolder.render import RenderMeta

BEFORE_COPY, AFTER_COPY = "before_copy", "after_copy"
BEFORE_UPDATE, AFTER_UPDATE = "before_update", "after_update"
NO_ANSWERS = Answers({}, {})


def render_message(
    renderer: TemplateRenderer, setting: str, answers: Answers | None, meta: RenderMeta
) -> str | None:
    """``_message_<setting>`` rendered as copier renders it (None: the template has none).

    ``answers`` is None for the ``before_*`` messages: copier has none yet.
    """
    from scaffolder.engines.copier import CopierRenderer
    from scaffolder.render import Renderer

    if isinstance(renderer, CopierRenderer):
        return renderer.message(setting, answers, meta)
    if not isinstance(renderer, Renderer):
        return None  # cookiecutter: what its hooks print is its message (the rendered tree's)
    raw = str(getattr(renderer.config, f"message_{setting}", ""))
    if not raw:
        return None
    return renderer.evaluator.render(raw, renderer.context(answers or NO_ANSWERS, meta))


def before_copy(
    golden_path: GoldenPath,
    version: GoldenPathVersion,
    renderer: TemplateRenderer,
    dest: Path | None,
    *,
    checkout: str | None = None,
) -> str | None:
    """``_message_before_copy`` of ``version``, for a repo to be made at ``dest``."""
    from scaffolder.generate import Plan

    plan = Plan(golden_path, version, NO_ANSWERS, checkout=checkout)
    where = dest.absolute() if dest is not None else None
    meta = plan.meta(where.name if where else "", where)
    return render_message(renderer, BEFORE_COPY, None, meta)


def show(message: str | None) -> None:
    """On stderr, as copier prints it (nothing when the template has no such message)."""
    if message is not None:
        click.echo(message, err=True)
