"""Report formats for diff and audit: one module per format, registered by name.

Each takes the same :class:`~scaffolder.reports.model.RepoReport` list and returns text for
stdout. The human text report goes to stderr separately.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from scaffolder.reports.model import RepoReport

Formatter = Callable[[Sequence[RepoReport]], str]


def formatter(name: str) -> Formatter:
    """The formatter registered under ``name`` (imported on demand)."""
    from scaffolder.reports import codequality, json_report, junit, markdown, sarif

    registry: dict[str, Formatter] = {
        "json": json_report.render,
        "sarif": sarif.render,
        "junit": junit.render,
        "markdown": markdown.render,
        "codequality": codequality.render,
    }
    return registry[name]


FORMATS = ("text", "json", "sarif", "junit", "markdown", "codequality")
