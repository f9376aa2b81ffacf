"""SARIF 2.1.0 for GitHub code scanning: rules with help, locations, fingerprints, suppressions.

Drift classes are reported as rules too (``drift/outdated`` ...), so a pull request shows both
where the repo left the golden path and which standards fail. Findings about the whole repo
are anchored on a placeholder file (the answers file, or README.md), line 1.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from scaffolder import __version__
from scaffolder.drift import FileStatus
from scaffolder.reports import contract
from scaffolder.reports.model import RepoReport
from scaffolder.standards.model import Level, Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {Level.BRONZE: "error", Level.SILVER: "warning", Level.GOLD: "note"}
DRIFT_TEXT = {
    FileStatus.MODIFIED: (
        "Locally modified",
        "A deliberate local edit: the golden path did not change this file, the repo did.",
    ),
    FileStatus.OUTDATED: (
        "Outdated",
        "The golden path changed this file and the repo did not:"
        " `scaffolder upgrade` applies the change cleanly.",
    ),
    FileStatus.CONFLICTING: (
        "Conflicting",
        "Both the golden path and the repo changed this file: an upgrade needs a merge.",
    ),
    FileStatus.DELETED: (
        "Deleted locally",
        "The golden path has this file; the repo deleted it (an upgrade keeps it deleted).",
    ),
    FileStatus.ADDED: ("New in the golden path", "The target version adds this file."),
    FileStatus.REMOVED: (
        "Removed from the golden path",
        "The target version no longer has this file.",
    ),
    FileStatus.INCOMPLETE: (
        "Incomplete: hooks not run",
        "The template is not trusted, so its hooks did not run, and they name this file: it"
        " cannot be compared until the template is trusted (--trust, or `trust:` in the"
        " settings file). Not drift.",
    ),
    FileStatus.GENERATED: (
        "Generated per repo",
        "This file is marked as generated for each repo (generated_per_repo): its"
        " differences are expected. Not drift.",
    ),
}


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _location(uri: str, line: int | None = None) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": line or 1},
        }
    }


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.title.replace(" ", ""),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {
            "text": f"{rule.rationale}\nFix: {rule.fix}",
            "markdown": f"{rule.rationale}\n\n**Fix:** {rule.fix}",
        },
        "helpUri": rule.help_url,
        "defaultConfiguration": {"level": SARIF_LEVEL[rule.level]},
        "properties": {
            "level": str(rule.level),
            "family": rule.family,
            "tags": ["golden-path", str(rule.level)],
        },
    }


def _drift_descriptor(status: FileStatus) -> dict[str, Any]:
    title, text = DRIFT_TEXT[status]
    return {
        "id": f"drift/{status.value}",
        "name": title.replace(" ", ""),
        "shortDescription": {"text": f"Golden-path drift: {title.lower()}"},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": text},
        "helpUri": "https://scaffolder.dev/guides/diff/#drift-classes",
        "defaultConfiguration": {"level": "note" if status == FileStatus.MODIFIED else "warning"},
        "properties": {"tags": ["golden-path", "drift"]},
    }


def _not_compared_descriptor(status: FileStatus) -> dict[str, Any]:
    title, text = DRIFT_TEXT[status]
    return {
        "id": f"comparison/{status.value}",
        "name": title.replace(" ", "").replace(":", ""),
        "shortDescription": {"text": title},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": text},
        "helpUri": "https://scaffolder.dev/guides/cookiecutter/",
        "defaultConfiguration": {"level": "none"},
        "properties": {"tags": ["golden-path"]},
    }


def render(reports: Sequence[RepoReport]) -> str:
    descriptors: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []

    def index(rule_id: str, descriptor: dict[str, Any]) -> int:
        descriptors.setdefault(rule_id, descriptor)
        return list(descriptors).index(rule_id)

    for report in reports:
        prefix = "" if len(reports) == 1 else f"{report.path.name}/"
        placeholder = prefix + report.placeholder
        if report.error:
            results.append(
                {
                    "ruleId": "scaffolder/error",
                    "ruleIndex": index(
                        "scaffolder/error",
                        {
                            "id": "scaffolder/error",
                            "shortDescription": {"text": "The repo could not be checked"},
                        },
                    ),
                    "level": "error",
                    "message": {"text": report.error},
                    "locations": [_location(placeholder)],
                    "partialFingerprints": {
                        "scaffolderFinding/v1": _fingerprint("error", str(report.path))
                    },
                }
            )
            continue
        if report.drift:
            for f in report.drift.drifted:
                uri = prefix + f.path if f.ours is not None else placeholder
                text = (
                    f"{f.path}: {DRIFT_TEXT[f.status][1]} "
                    f"({report.drift.version} -> {report.drift.target_version})"
                )
                results.append(
                    {
                        "ruleId": f"drift/{f.status.value}",
                        "ruleIndex": index(f"drift/{f.status.value}", _drift_descriptor(f.status)),
                        "message": {"text": text},
                        "locations": [_location(uri)],
                        "partialFingerprints": {
                            "scaffolderFinding/v1": _fingerprint(f.status.value, f.path)
                        },
                    }
                )
            for f in report.drift.not_compared:  # informational: not findings
                results.append(
                    {
                        "ruleId": f"comparison/{f.status.value}",
                        "ruleIndex": index(
                            f"comparison/{f.status.value}", _not_compared_descriptor(f.status)
                        ),
                        "kind": "informational",
                        "level": "none",
                        "message": {"text": f"{f.path}: {DRIFT_TEXT[f.status][1]}"},
                        "locations": [_location(prefix + f.path if f.ours else placeholder)],
                        "partialFingerprints": {
                            "scaffolderFinding/v1": _fingerprint(f.status.value, f.path)
                        },
                    }
                )
        if report.standards:
            for r in report.standards.results:
                entries = [(v, None) for v in r.violations] + list(r.suppressed)
                for violation, reason in entries:
                    uri = placeholder if violation.path in (".", "") else prefix + violation.path
                    result: dict[str, Any] = {
                        "ruleId": r.rule.id,
                        "ruleIndex": index(r.rule.id, _rule_descriptor(r.rule)),
                        "level": SARIF_LEVEL[r.rule.level],
                        "message": {"text": f"{violation.message}. Fix: {r.rule.fix}"},
                        "locations": [_location(uri, violation.line)],
                        "partialFingerprints": {
                            "scaffolderFinding/v1": _fingerprint(
                                r.rule.id, violation.path, violation.message
                            )
                        },
                    }
                    if reason is not None:
                        result["suppressions"] = [
                            {"kind": "external", "status": "accepted", "justification": reason}
                        ]
                    results.append(result)
        for finding in report.contract or []:  # audit --platform
            uri = placeholder if finding.file in (".", "") else prefix + finding.file
            results.append(
                {
                    "ruleId": finding.check,
                    "ruleIndex": index(finding.check, contract.descriptor(finding.check)),
                    "level": "error" if finding.severity == "error" else "warning",
                    "message": {"text": contract.text(finding)},
                    "locations": [_location(uri)],
                    "partialFingerprints": {
                        "scaffolderFinding/v1": _fingerprint(
                            finding.check,
                            prefix + finding.file,
                            finding.object or "",
                            finding.message,
                        )
                    },
                }
            )
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "scaffolder",
                        "version": __version__,
                        "informationUri": "https://scaffolder.dev/",
                        "rules": list(descriptors.values()),
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2)
