"""Auditing a fleet: `check_repo` over many repos in one run, in parallel, never stopping on one.

Repos are sorted by golden path, version and answers before they are split between worker
processes, so repos that render the same trees land in the same worker and share its render
cache (a tree renders once per worker). Each worker returns reports without file contents.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from scaffolder import notices
from scaffolder.catalog import load_catalog
from scaffolder.errors import ScaffolderError
from scaffolder.project import ANSWERS_FILE, CRUFT_FILE, find_records
from scaffolder.repofiles import read_repo_text
from scaffolder.reports.model import RepoReport
from scaffolder.validate.findings import Finding


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Repos to audit: each path is a repo, or a folder whose sub-folders are repos."""
    out: list[Path] = []
    for path in paths:
        is_repo = any((path / f).exists() for f in (ANSWERS_FILE, CRUFT_FILE, ".git"))
        if path.is_dir() and not is_repo:
            children = sorted(
                p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")
            )
            if children:
                out.extend(children)
                continue
        out.append(path)
    return out


def read_list(path: Path) -> list[Path]:
    """A fleet list: one repo path a line; blank lines and # comments skipped."""
    base = path.parent
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        base / line.strip() if not Path(line.strip()).is_absolute() else Path(line.strip())
        for line in lines
        if line.strip() and not line.strip().startswith("#")
    ]


def _sort_key(repo: Path) -> str:
    for name in (ANSWERS_FILE, CRUFT_FILE):
        try:  # never blocks on a FIFO: the repo's check reports it
            text = read_repo_text(repo, name)
        except (ScaffolderError, OSError, UnicodeDecodeError):
            continue
        if text is not None:
            return text
    return ""


def _slim(report: RepoReport) -> RepoReport:
    if report.drift is not None:
        report.drift.files = [
            dataclasses.replace(f, base=None, ours=None, theirs=None) for f in report.drift.files
        ]
    return report


def _records(repo: Path) -> list[str | None]:
    """Each record to check (None: the repo's default record, or the error that it has none)."""
    found: list[str | None] = list(find_records(repo)) if repo.is_dir() else []
    return found or [None]


_Chunk = tuple[list[Path], tuple[str, ...], bool, str | None, Path | None]


def _check_chunk(args: _Chunk) -> tuple[list[list[RepoReport]], list[str]]:
    """Reports of a chunk of repos, and the notices (skipped hooks) the worker collected."""
    from scaffolder.checkup import check_repo

    repos, catalogs, trust, against, platform = args
    catalog = load_catalog(catalogs, trust=trust)
    # A baseline repo records one golden path at its root and one per tenant added later:
    # each record is checked and reported on its own.
    reports: list[list[RepoReport]] = [
        [
            _slim(check_repo(repo, catalog, against=against, answers_file=answers_file))
            for answers_file in _records(repo)
        ]
        for repo in repos
    ]
    if platform is not None:
        for repo, repo_reports in zip(repos, reports, strict=True):
            if not repo_reports[0].error:  # the repo's own objects, once per repo
                repo_reports[0].contract = _contract(repo, platform, catalogs)
    return reports, notices.drain()


def _contract(repo: Path, platform: Path, catalogs: tuple[str, ...]) -> list[Finding]:
    """``validate --platform``'s contract check of one repo; the baseline is built once per
    worker (:func:`scaffolder.validate.contract.load_platform` is cached)."""
    from scaffolder.validate.contract import check_platform

    try:
        return check_platform(repo, platform, catalogs=catalogs).findings
    except ScaffolderError as exc:  # kubectl missing: the repo's finding, not the run's end
        return [Finding("contract", ".", f"the platform contract could not be checked: {exc}")]


def audit(
    repos: Sequence[Path],
    *,
    catalogs: tuple[str, ...] = (),
    trust: bool = False,
    against: str | None = None,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    platform: Path | None = None,
) -> list[RepoReport]:
    """Check every repo; the result is in the order given. With ``platform`` (a cluster
    baseline repo) each repo also gets the platform contract's findings."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    order = sorted(range(len(repos)), key=lambda i: _sort_key(repos[i]))
    # Small chunks keep the progress bar moving and the workers balanced.
    size = max(1, min(25, len(repos) // (jobs * 4) or 1))
    chunks = [[repos[i] for i in order[k : k + size]] for k in range(0, len(order), size)]
    results: list[list[RepoReport]] = []
    work = [(c, catalogs, trust, against, platform) for c in chunks]
    with contextlib.ExitStack() as stack:
        if jobs == 1 or len(chunks) == 1:
            outcomes: Iterable[tuple[list[list[RepoReport]], list[str]]] = map(_check_chunk, work)
        else:
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=jobs))
            outcomes = pool.map(_check_chunk, work)
        for chunk_result, chunk_notices in outcomes:
            results.extend(chunk_result)
            for message in chunk_notices:  # skipped hooks, noticed in a worker
                notices.add(message)
            if progress:
                progress(len(chunk_result))
    ordered: list[list[RepoReport]] = [[] for _ in repos]
    for rank, reports in enumerate(results):  # results follow `order`
        ordered[order[rank]] = reports
    return [r for reports in ordered for r in reports]
