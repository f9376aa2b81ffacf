"""The platform contract findings of an audit run with ``--platform`` (``validate --platform``'s
contract check, per repo), shared by every report format so they say the same thing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from scaffolder.reports.model import RepoReport
from scaffolder.validate.findings import Finding

HELP_URI = "https://scaffolder.dev/guides/platform-contract/"


def unmet(report: RepoReport) -> list[Finding]:
    """The contract's errors for the repo (warnings are reported, never counted)."""
    return [f for f in report.contract or [] if f.severity == "error"]


def text(finding: Finding) -> str:
    """One line: where in the repo, what is missing, and where the platform side is."""
    peer = f" (platform: {finding.peer})" if finding.peer else ""
    return f"{finding.location()}: {finding.message}{peer}"


def to_json(findings: list[Finding]) -> list[dict[str, Any]]:
    return [asdict(f) for f in findings]


def from_json(entries: list[Mapping[str, Any]]) -> list[Finding]:
    fields = Finding.__dataclass_fields__
    return [Finding(**{k: v for k, v in e.items() if k in fields}) for e in entries]


def descriptor(check: str) -> dict[str, Any]:
    """The SARIF rule of one contract check (``contract/gateway``...)."""
    rule = check.removeprefix("contract/")
    summary = f"Platform contract: {rule}"
    body = (
        "The cluster baseline given with --platform does not provide what this repo needs"
        f" ({rule}); see the platform contract guide."
    )
    return {
        "id": check,
        "name": "PlatformContract" + "".join(p.title() for p in rule.split("-")),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": body},
        "help": {"text": body, "markdown": body},
        "helpUri": HELP_URI,
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["golden-path", "platform-contract"]},
    }
