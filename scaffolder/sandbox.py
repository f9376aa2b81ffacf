"""The Jinja sandbox every untrusted template renders in, for both engines.

Jinja's :class:`~jinja2.sandbox.SandboxedEnvironment` is the policy copier uses: no access to
private attributes (``__globals__``, ``__subclasses__``...), no unsafe callables, ``range``
capped. On top of it every template here is charged against the render budget
(:mod:`scaffolder.limits`): its output size, and the clock on every call it makes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from jinja2 import Template
from jinja2.sandbox import SandboxedEnvironment

from scaffolder.errors import TemplateError
from scaffolder.limits import RenderBudget, active_budget

# The Jinja options a template may set (copier's ``_envops``, cookiecutter's
# ``_jinja2_env_vars``): syntax and whitespace only. Loaders, caches, finalizers and
# extensions are the environment's business; an extension imports and runs code.
ALLOWED_OPTIONS = frozenset(
    {
        "block_start_string",
        "block_end_string",
        "variable_start_string",
        "variable_end_string",
        "comment_start_string",
        "comment_end_string",
        "line_statement_prefix",
        "line_comment_prefix",
        "trim_blocks",
        "lstrip_blocks",
        "newline_sequence",
        "keep_trailing_newline",
        "autoescape",
        "undefined",
        "optimized",
    }
)


def check_options(options: Mapping[str, Any], setting: str) -> None:
    """Refuse Jinja options a template may not set (``setting`` names where they came from)."""
    unknown = sorted(set(options) - ALLOWED_OPTIONS)
    if unknown:
        raise TemplateError(
            f"{setting} sets {', '.join(unknown)}, which a template may not set"
            + (" (Jinja extensions run code)" if "extensions" in unknown else ""),
            hint="allowed: " + ", ".join(sorted(ALLOWED_OPTIONS)),
        )


# Output is charged in batches: a render yields thousands of small chunks, and charging each
# (with a look at the clock) cost a third of a fleet's render time. A batch is at most this
# many chunks, so an oversized output is still stopped early.
_BATCH = 256


def _charged(chunks: Iterator[str], budget: RenderBudget) -> list[str]:
    out: list[str] = []
    while batch := list(itertools.islice(chunks, _BATCH)):
        out += batch
        budget.charge(sum(map(len, batch)))
    budget.charge(0)  # the clock, for a template that produced nothing
    return out


class BudgetTemplate(Template):
    """A template whose output is charged to the active render budget as it is produced."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        if active_budget() is None:
            return super().render(*args, **kwargs)
        return _run(self, self.new_context(dict(*args, **kwargs)))


def render_shared(template: Template, variables: dict[str, Any]) -> str:
    """``template.render`` with ``variables`` (the globals included) used as they are, not
    copied: a tree renders all its files in one context. Charged to the active budget."""
    return _run(template, template.new_context(variables, shared=True))


def _run(template: Template, ctx: Any) -> str:
    """What ``Template.render`` does with its context, charged to the active budget."""
    budget = active_budget()
    try:
        chunks = template.root_render_func(ctx)
        return template.environment.concat(chunks if budget is None else _charged(chunks, budget))
    except Exception:
        return template.environment.handle_exception()


class Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, charged to the render budget (output and the clock on each call)."""

    template_class = BudgetTemplate

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = active_budget()
        if budget is not None:
            budget.check_time()
        return super().call(__context, __obj, *args, **kwargs)
