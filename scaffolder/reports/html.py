"""The self-contained HTML report of an audit: numbers and charts for a platform lead's screen.

One file, no scripts or external assets: CSS bar charts of versions in use, standards levels,
most-failed rules and most-drifted files, then a sortable-by-eye table of every repo.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from importlib import resources

from jinja2 import Environment, select_autoescape

from scaffolder import __version__
from scaffolder.output import plural
from scaffolder.reports import contract
from scaffolder.reports.fleet import LEVELS, summarize
from scaffolder.reports.model import RepoReport


def render_html(reports: Sequence[RepoReport], *, title: str = "Golden path audit") -> str:
    summary = summarize(reports)
    template_text = (resources.files("scaffolder.reports") / "audit.html.jinja").read_text(
        encoding="utf-8"
    )
    env = Environment(
        autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True
    )
    env.filters["plural"] = plural

    def bars(counter: Counter[str], limit: int = 10) -> list[tuple[str, int, float]]:
        items = counter.most_common(limit)
        top = max((n for _, n in items), default=1) or 1
        return [(label, n, 100 * n / top) for label, n in items]

    rows = []
    for r in reports:
        drift = r.drift
        rows.append(
            {
                "path": str(r.path),
                "name": r.path.name,
                "error": r.error,
                "level": r.level,
                "golden_path": drift.golden_path if drift else "",
                "version": drift.version if drift else "",
                "target": drift.target_version if drift else "",
                "summary": drift.summary() if drift else {},
                "compared": drift.compared if drift else False,
                "failed": [res.rule.id for res in r.standards.failed()] if r.standards else [],
                "needs": sorted({p.question for p in drift.answer_problems}) if drift else [],
                "contract": None
                if r.contract is None
                else [contract.text(f) for f in contract.unmet(r)],
            }
        )
    level_bars = [
        (
            level,
            summary.levels.get(level, 0),
            100 * summary.levels.get(level, 0) / max(1, summary.repos),
        )
        for level in LEVELS
    ]
    return env.from_string(template_text).render(
        title=title,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        summary=summary,
        versions=bars(summary.versions),
        levels=level_bars,
        rules=bars(summary.failed_rules),
        files=bars(summary.drifted_files),
        rows=rows,
        statuses=["modified", "outdated", "conflicting", "deleted", "added", "removed"],
    )
