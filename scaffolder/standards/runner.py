"""Runs the rule packs that apply to a repo and applies its exemptions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from scaffolder.standards import baseline_rules, cost_rules, service_rules
from scaffolder.standards.exemptions import load_exemptions
from scaffolder.standards.model import RepoFiles, Rule, RuleResult, StandardsReport, Violation
from scaffolder.standards.packs import load_packs

BUILTIN = {
    "service": [*service_rules.RULES, *cost_rules.SERVICE_RULES],
    "baseline": [*baseline_rules.RULES, *cost_rules.BASELINE_RULES],
}


def rules_for(family: str, catalog_roots: list[Path] | None = None) -> list[Rule]:
    extra = [r for r in load_packs(catalog_roots or []) if r.family == family]
    return [*BUILTIN.get(family, []), *extra]


def run_standards(
    repo: Path,
    family: str,
    *,
    catalog_roots: list[Path] | None = None,
    today: dt.date | None = None,
    known: Mapping[str, bytes | None] | None = None,
) -> StandardsReport:
    """Every rule of ``family`` on ``repo``, with the repo's exemptions applied.

    ``known``: files already read from the repo (the drift check's), not read again."""
    files = RepoFiles(repo, known)
    exemptions, problems = load_exemptions(repo, today or dt.date.today())
    results = []
    for rule in rules_for(family, catalog_roots):
        kept: list[Violation] = []
        suppressed: list[tuple[Violation, str]] = []
        for violation in rule.check(files):
            match = next((e for e in exemptions if e.covers(rule.id, violation)), None)
            if match:
                suppressed.append((violation, match.reason))
            else:
                kept.append(violation)
        results.append(RuleResult(rule, tuple(kept), tuple(suppressed)))
    return StandardsReport(results, problems)
