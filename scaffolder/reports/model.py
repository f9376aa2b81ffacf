"""What diff and audit report per repo: drift, answer problems, rule results, or an error."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scaffolder.drift import RepoDrift
from scaffolder.standards.model import StandardsReport
from scaffolder.validate.findings import Finding


@dataclass
class RepoReport:
    path: Path
    drift: RepoDrift | None = None
    standards: StandardsReport | None = None
    error: str | None = None
    answers_file: str = ".copier-answers.yml"  # which record of the repo was checked
    # ``audit --platform``: the platform contract's findings (None: not checked).
    contract: list[Finding] | None = None

    @property
    def level(self) -> str:
        if self.standards is None:
            return "none"
        level = self.standards.level
        return str(level) if level else "none"

    @property
    def placeholder(self) -> str:
        """A file to anchor repo-level findings on (SARIF needs a file location)."""
        if (self.path / self.answers_file).is_file():
            return self.answers_file
        return "README.md"
