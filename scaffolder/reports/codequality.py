"""GitLab Code Quality: the CodeClimate-style JSON a GitLab job publishes as
``artifacts:reports:codequality``, so a merge request shows drift and failed rules inline.

Each finding has a description, a check name, a severity, a location (path and first line)
and a fingerprint stable across runs (the SARIF fingerprint), which GitLab uses to tell new
findings from fixed ones. https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from scaffolder.drift import FileStatus
from scaffolder.reports import contract
from scaffolder.reports.model import RepoReport
from scaffolder.reports.sarif import DRIFT_TEXT, _fingerprint
from scaffolder.standards.model import Level

SEVERITY = {Level.BRONZE: "major", Level.SILVER: "minor", Level.GOLD: "info"}
DRIFT_SEVERITY = {
    FileStatus.MODIFIED: "info",
    FileStatus.CONFLICTING: "major",
}


def _issue(
    check: str, severity: str, description: str, path: str, line: int | None, *key: str
) -> dict[str, Any]:
    return {
        "description": description,
        "check_name": check,
        "fingerprint": _fingerprint(check, *key),
        "severity": severity,
        "location": {"path": path, "lines": {"begin": line or 1}},
    }


def render(reports: Sequence[RepoReport]) -> str:
    issues: list[dict[str, Any]] = []
    for report in reports:
        prefix = "" if len(reports) == 1 else f"{report.path.name}/"
        placeholder = prefix + report.placeholder
        if report.error:
            issues.append(
                _issue(
                    "scaffolder/error", "blocker", report.error, placeholder, 1, str(report.path)
                )
            )
            continue
        if report.drift:
            drift = report.drift
            for f in drift.drifted:
                text = (
                    f"{f.path}: {DRIFT_TEXT[f.status][1]} ({drift.version} -> "
                    f"{drift.target_version})"
                )
                path = prefix + f.path if (report.path / f.path).is_file() else placeholder
                severity = DRIFT_SEVERITY.get(f.status, "minor")
                issues.append(_issue(f"drift/{f.status}", severity, text, path, 1, prefix + f.path))
            for problem in drift.answer_problems:
                text = f"answer {problem.question}: {problem}"
                key = prefix + problem.question
                issues.append(_issue("drift/answer", "major", text, placeholder, 1, key))
        if report.standards:
            for r in report.standards.results:
                for (
                    v
                ) in r.violations:  # exempted findings are left out, as GitLab has no suppression
                    path = placeholder if v.path in (".", "") else prefix + v.path
                    text = f"{r.rule.id} {r.rule.title}: {v.message}. Fix: {r.rule.fix}"
                    severity = SEVERITY[r.rule.level]
                    where = prefix + v.path
                    issues.append(_issue(r.rule.id, severity, text, path, v.line, where, v.message))
        for finding in report.contract or []:  # audit --platform
            path = placeholder if finding.file in (".", "") else prefix + finding.file
            severity = "critical" if finding.severity == "error" else "minor"
            issues.append(
                _issue(
                    finding.check,
                    severity,
                    contract.text(finding),
                    path,
                    1,
                    prefix + finding.file,
                    finding.object or "",
                    finding.message,
                )
            )
    return json.dumps(issues, indent=2)
