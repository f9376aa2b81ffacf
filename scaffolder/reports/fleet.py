"""Fleet-level aggregates of an audit, shared by the text summary, the HTML and the JSON report.

Every figure is counted here once, so the three always agree. A repo is in exactly one of
three states: *compared* with its target version, *needs answers* (the target version asks
questions its record does not answer, so it could not be rendered and compared), or *error*
(it could not be checked at all). Drift figures count compared repos only: a repo that was not
compared has no outdated or conflicting files to count, not zero of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from packaging.version import InvalidVersion, Version

from scaffolder.drift import DRIFT, FileStatus
from scaffolder.reports.model import RepoReport

LEVELS = ("gold", "silver", "bronze", "none")


@dataclass
class FleetSummary:
    repos: int = 0
    compared: int = 0  # repos compared with their target version
    errors: list[tuple[str, str]] = field(default_factory=list)
    versions: Counter[str] = field(default_factory=Counter)  # "service 1.0.0" -> repos
    levels: Counter[str] = field(default_factory=Counter)
    failed_rules: Counter[str] = field(default_factory=Counter)  # "SVC001 title" -> repos
    drifted_files: Counter[str] = field(default_factory=Counter)  # path -> compared repos
    drift: Counter[str] = field(default_factory=Counter)  # status -> files in compared repos
    groups: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    needs_answers: Counter[str] = field(default_factory=Counter)  # question -> repos
    repos_needing_answers: int = 0
    version_times: dict[tuple[str, str], int] = field(default_factory=dict)  # untagged commits
    # audit --platform: repos checked against the baseline, and those with unmet needs.
    contract_checked: int = 0
    contract_unmet: dict[str, int] = field(default_factory=dict)  # repo path -> findings

    def group_order(self) -> list[tuple[str, str]]:
        """Groups by golden path, then version order: releases (packaging's order), then
        untagged commits by commit time."""

        def key(group: tuple[str, str]) -> tuple[str, int, Version, int, str]:
            golden_path, version = group
            # An untagged commit has a commit time; its 12-digit prefix may still parse as a
            # PEP 440 version ("123456789012", "0123a4567890"), so the time decides first.
            if group not in self.version_times:
                try:
                    return golden_path, 0, Version(version), 0, version
                except InvalidVersion:
                    pass
            return golden_path, 1, Version("0"), self.version_times.get(group, 0), version

        return sorted(self.groups, key=key)

    def to_json(self) -> dict[str, Any]:
        """The figures of the JSON report's ``summary`` (docs/reference/report-json.md)."""
        return {
            "repos": self.repos,
            "compared": self.compared,
            "needs_answers": self.repos_needing_answers,
            "errors": len(self.errors),
            "levels": {level: self.levels.get(level, 0) for level in LEVELS},
            "files": {s.value: self.drift.get(s.value, 0) for s in FileStatus},
            "questions": dict(self.needs_answers.most_common()),
            **(
                {"contract": {"checked": self.contract_checked, "unmet": len(self.contract_unmet)}}
                if self.contract_checked
                else {}
            ),
        }


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
        if report.contract is not None:
            summary.contract_checked += 1
            group["contract checked"] += 1
            unmet = sum(f.severity == "error" for f in report.contract)
            if unmet:
                summary.contract_unmet[str(report.path)] = unmet
                group["contract unmet"] += 1
        if report.standards:
            for r in report.standards.failed():
                summary.failed_rules[f"{r.rule.id} {r.rule.title}"] += 1
        if not drift.compared:
            summary.repos_needing_answers += 1
            group["needs answers"] += 1
            for question in sorted({p.question for p in drift.answer_problems}):
                summary.needs_answers[question] += 1
            continue
        summary.compared += 1
        group["compared"] += 1
        for status, count in drift.summary().items():
            summary.drift[status] += count
            group[status] += count
        for f in drift.files:
            if f.status in DRIFT:
                summary.drifted_files[f.path] += 1
    return summary
