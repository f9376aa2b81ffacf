"""Findings of ``validate``: what is wrong, where (file, object, field), found by which check."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One problem: ``check`` found ``message`` in ``file`` (object and field where known)."""

    check: str
    file: str
    message: str
    object: str | None = None  # Kind/name, or "Kind/name (overlay prod)"
    field: str | None = None  # a dotted path inside the object
    severity: str = "error"  # "error" fails the run; "warning" is reported only
    peer: str | None = None  # the other side ("file: Kind/name" in the platform repo), if any

    def location(self) -> str:
        parts = [self.file]
        if self.object:
            parts.append(self.object)
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)


@dataclass
class Report:
    """Everything one ``validate`` run found and checked."""

    root: str
    kubernetes_version: str
    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)  # check -> items checked

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def count(self, check: str, n: int = 1) -> None:
        self.checked[check] = self.checked.get(check, 0) + n

    def merge(self, other: Report) -> None:
        """Add another check's findings and counts (``validate --platform``)."""
        self.findings.extend(other.findings)
        for check, n in other.checked.items():
            self.count(check, n)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "root": self.root,
            "kubernetes_version": self.kubernetes_version,
            "ok": self.ok,
            "checked": dict(sorted(self.checked.items())),
            "findings": [asdict(f) for f in self.findings],
        }
