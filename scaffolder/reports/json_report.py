"""JSON output of diff and audit; schema documented in docs/reference/report-json.md."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scaffolder import __version__, jsontext
from scaffolder.reports import contract
from scaffolder.reports.fleet import summarize
from scaffolder.reports.model import RepoReport

SCHEMA_VERSION = 1


def repo_json(report: RepoReport) -> dict[str, Any]:
    out: dict[str, Any] = {"path": str(report.path), "error": report.error, "level": report.level}
    drift = report.drift
    if drift is not None:
        out.update(
            golden_path=drift.golden_path,
            version=drift.version,
            target_version=drift.target_version,
            **({"version_time": drift.version_time} if drift.version_time else {}),
            recorded=drift.recorded,
            compared=drift.compared,
            summary=drift.summary(),
            files=[
                {
                    "path": f.path,
                    "status": f.status.value,
                    **({"locally_modified": True} if f.locally_modified else {}),
                }
                for f in drift.files
            ],
            answer_problems=[
                {"question": p.question, "message": p.message, "hint": p.hint}
                for p in drift.answer_problems
            ],
            dropped_answers=drift.dropped_answers,
        )
    if report.standards is not None:
        out["rules"] = [
            {
                "id": r.rule.id,
                "title": r.rule.title,
                "level": str(r.rule.level),
                "passed": r.passed,
                "violations": [
                    {"message": v.message, "path": v.path, "line": v.line} for v in r.violations
                ],
                "suppressed": [
                    {"message": v.message, "path": v.path, "reason": reason}
                    for v, reason in r.suppressed
                ],
            }
            for r in report.standards.results
        ]
        out["exemption_problems"] = [
            {"message": v.message, "path": v.path} for v in report.standards.exemption_problems
        ]
    if report.contract is not None:  # audit --platform
        out["contract"] = contract.to_json(report.contract)
    return out


def document(reports: Sequence[RepoReport], **extra: Any) -> dict[str, Any]:
    """The report as a mapping; ``extra`` keys (an audit shard) go before ``repos``."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "scaffolder", "version": __version__},
        **extra,
        "summary": summarize(reports).to_json(),
        "repos": [repo_json(r) for r in reports],
    }


def dumps(doc: dict[str, Any]) -> str:
    """The report's text: ``json.dumps(doc, indent=2)``, written faster (a fleet's report
    runs to tens of megabytes)."""
    return jsontext.dumps(doc)


def render(reports: Sequence[RepoReport]) -> str:
    return dumps(document(reports))
