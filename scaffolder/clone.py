"""Fetching a fleet listed by URL: shallow clones, in parallel, resumable.

A fleet file lists one repo a line, ``URL [NAME]`` (``#`` comments and blank lines skipped);
NAME defaults to the URL's last part without ``.git`` and names the repo's folder, and its
shard (:mod:`scaffolder.shard`). Each repo is cloned into ``DIR/.partial/NAME`` and renamed to
``DIR/NAME`` only once complete, so an interrupted run leaves no half clone where ``audit``
would read it, and a rerun fetches only what is missing.

``audit`` and ``upgrade`` read the whole working tree (standards rules look at every file), so
the default is a full checkout of the default branch's last commit (``--depth 1``). For a
version inventory only the records are needed: ``record_only`` clones without blobs
(``--filter=blob:none``) and checks out just the record files, so git fetches only their
blobs (docs/guides/fleet.md#fetching-the-fleet).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from scaffolder.errors import AnswerError, ScaffolderError
from scaffolder.git import run_git
from scaffolder.project import ANSWERS_FILE, CRUFT_FILE, find_records, read_record

PARTIAL = ".partial"
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")
# Record files a sparse clone checks out: the root ones and a baseline's tenants' (one level).
RECORD_PATTERNS = (f"/{ANSWERS_FILE}", f"/{CRUFT_FILE}", f"/*/{ANSWERS_FILE}")


@dataclass(frozen=True)
class FleetEntry:
    """One repo of a fleet file."""

    url: str
    name: str
    line: int


@dataclass(frozen=True)
class CloneResult:
    """What happened to one repo; ``status`` is ``cloned``, ``present`` or ``failed``."""

    name: str
    url: str
    status: str
    commit: str | None = None
    records: tuple[tuple[str, str, str], ...] = ()  # (record file, golden path, version)
    error: str | None = None


def name_from_url(url: str) -> str:
    """``https://github.com/acme/payments.git`` and ``git@host:acme/payments`` -> payments."""
    tail = re.split(r"[/:]", url.rstrip("/"))[-1]
    return tail[:-4] if tail.endswith(".git") else tail


def read_fleet(path: Path) -> list[FleetEntry]:
    """The repos of a fleet file; names are checked to be folder names, each used once."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AnswerError(f"cannot read {path}: {exc.strerror}", hint="pass a fleet file") from None
    entries: list[FleetEntry] = []
    where: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split()
        if len(parts) > 2:
            raise AnswerError(
                f"{path}:{number}: expected `URL [NAME]`, got {text!r}",
                hint="one repo a line: its clone URL, optionally the folder name to use",
            )
        url = parts[0]
        name = parts[1] if len(parts) == 2 else name_from_url(url)
        if not _NAME.match(name):
            raise AnswerError(
                f"{path}:{number}: {name!r} cannot name a repo folder",
                hint="add a NAME after the URL (letters, digits, '.', '_', '-')",
            )
        if name in where:
            raise AnswerError(
                f"{path}:{number}: the folder name {name!r} is also used on line {where[name]}",
                hint="give one of them another NAME after the URL (for example org-name)",
            )
        where[name] = number
        entries.append(FleetEntry(url, name, number))
    return entries


def _git_env() -> dict[str, str]:
    # Never wait for a password in a batch job: a private repo without credentials fails.
    return {"GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never"}


def _records(repo: Path) -> tuple[tuple[str, str, str], ...]:
    out = []
    for record_file in find_records(repo, max_depth=1):
        try:
            record = read_record(repo, record_file)
        except ScaffolderError:
            continue  # audit reports an unreadable record; the clone itself succeeded
        out.append((record_file, record.golden_path, record.version))
    return tuple(out)


def _clone_one(entry: FleetEntry, dest: Path, depth: int, record_only: bool) -> CloneResult:
    target = dest / entry.name
    try:
        if (target / ".git").exists():
            origin = run_git(target, ["config", "--get", "remote.origin.url"]).strip()
            if origin != entry.url:
                raise ScaffolderError(
                    f"{target} is a clone of {origin}, not {entry.url}; move it away to refetch"
                )
            status = "present"
        else:
            if target.exists():
                raise ScaffolderError(f"{target} exists and is not a git clone")
            partial = dest / PARTIAL / entry.name
            shutil.rmtree(partial, ignore_errors=True)  # a clone an earlier run left unfinished
            partial.parent.mkdir(parents=True, exist_ok=True)
            args = ["clone", "--quiet", f"--depth={depth}", "--no-tags"]
            if record_only:
                args += ["--filter=blob:none", "--no-checkout"]
            run_git(dest, [*args, "--", entry.url, str(partial)], env=_git_env())
            if record_only:
                run_git(partial, ["sparse-checkout", "set", "--no-cone", *RECORD_PATTERNS])
                run_git(partial, ["checkout", "--quiet"], env=_git_env())
            partial.replace(target)
            status = "cloned"
        commit = run_git(target, ["rev-parse", "HEAD"]).strip()
        return CloneResult(entry.name, entry.url, status, commit, _records(target))
    except (ScaffolderError, OSError) as exc:
        return CloneResult(entry.name, entry.url, "failed", error=str(exc))


def clone_fleet(
    entries: Sequence[FleetEntry],
    dest: Path,
    *,
    jobs: int = 8,
    depth: int = 1,
    record_only: bool = False,
) -> list[CloneResult]:
    """Clone every entry into ``dest/NAME`` (skipping complete clones); results in order.

    One repo's failure (a wrong URL, no access) is its own result and never stops the others.
    """
    dest.mkdir(parents=True, exist_ok=True)
    workers = max(1, min(jobs, len(entries)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda e: _clone_one(e, dest, depth, record_only), entries))
    partial = dest / PARTIAL
    if partial.is_dir() and not any(partial.iterdir()):
        partial.rmdir()
    return results
