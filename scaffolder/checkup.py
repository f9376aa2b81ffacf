"""One repo checked against its golden path: drift plus standards, as diff and audit run it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scaffolder.catalog import Catalog
from scaffolder.drift import repo_drift
from scaffolder.errors import ScaffolderError
from scaffolder.origin import load_origin
from scaffolder.project import default_record_file
from scaffolder.reports.model import RepoReport
from scaffolder.standards import run_standards


def check_repo(
    repo: Path,
    catalog: Catalog,
    *,
    against: str | None = None,
    golden_path: str | None = None,
    version: str | None = None,
    data: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
    answers_file: str | None = None,
) -> RepoReport:
    """Drift and standards of one repo; a user error becomes the report's ``error``."""
    report = RepoReport(repo)
    try:
        if not repo.is_dir():
            raise ScaffolderError(f"{repo} is not a directory")
        report.answers_file = answers_file or default_record_file(repo)
        origin = load_origin(
            repo,
            catalog,
            golden_path=golden_path,
            version=version,
            data=data,
            answers_file=answers_file,
        )
        # For a recorded repo, --data answers the target version's new questions.
        report.drift = repo_drift(origin, against, data=None if golden_path else data)
        roots = [s.path for s in catalog.sources]
        report.standards = run_standards(
            repo,
            origin.golden_path.kind,
            catalog_roots=roots,
            today=today,
            known={f.path: f.ours for f in report.drift.files},
        )
    except ScaffolderError as exc:
        report.error = str(exc)
    return report
