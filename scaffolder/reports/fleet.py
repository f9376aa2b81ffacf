"""Fleet-level aggregates of an audit, shared by the summary table and the HTML report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from packaging.version import InvalidVersion, Version

from scaffolder.drift import DRIFT
from scaffolder.reports.model import RepoReport

LEVELS = ("gold", "silver", "bronze", "none")


@dataclass
class FleetSummary:
    repos: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    versions: Counter[str] = field(default_factory=Counter)  # "service 1.0.0" -> repos
    levels: Counter[str] = field(default_factory=Counter)
    failed_rules: Counter[str] = field(default_factory=Counter)  # "SVC001 title" -> repos
    drifted_files: Counter[str] = field(default_factory=Counter)  # path -> repos
    drift: Counter[str] = field(default_factory=Counter)  # status -> files
    groups: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    needs_answers: Counter[str] = field(default_factory=Counter)  # question -> repos
    repos_needing_answers: int = 0
    version_times: dict[tuple[str, str], int] = field(default_factory=dict)  # untagged commits

    def group_order(self) -> list[tuple[str, str]]:
        """Groups by golden path, then version order: releases (packaging's order), then
        untagged commits by commit time."""

        def key(group: tuple[str, str]) -> tuple[str, int, Version, int, str]:
            golden_path, version = group
            try:
                return golden_path, 0, Version(version), 0, version
            except InvalidVersion:
                return golden_path, 1, Version("0"), self.version_times.get(group, 0), version

        return sorted(self.groups, key=key)


def summarize(reports: Sequence[RepoReport]) -> FleetSummary:
    summary = FleetSummary(repos=len(reports))
    for report in reports:
        if report.error or report.drift is None:
            summary.errors.append((str(report.path), report.error or "not checked"))
            continue
        drift = report.drift
        key = (drift.golden_path, drift.version)
        summary.versions[f"{drift.golden_path} {drift.version}"] += 1
        summary.levels[report.level] += 1
        group = summary.groups.setdefault(key, Counter())
        if drift.version_time:
            summary.version_times[key] = drift.version_time
        group["repos"] += 1
        group[f"level:{report.level}"] += 1
        for status, count in drift.summary().items():
            summary.drift[status] += count
            group[status] += count
        for f in drift.files:
            if f.status in DRIFT:
                summary.drifted_files[f.path] += 1
        if drift.answer_problems:
            summary.repos_needing_answers += 1
            group["needs answers"] += 1
            for problem in drift.answer_problems:
                summary.needs_answers[problem.question] += 1
        if report.standards:
            for r in report.standards.failed():
                summary.failed_rules[f"{r.rule.id} {r.rule.title}"] += 1
    return summary
