"""``scaffolder fleet``: work on a fleet listed by URL (``fleet clone``)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scaffolder.commands.options import format_option

if TYPE_CHECKING:
    from scaffolder.clone import CloneResult

SCHEMA_VERSION = 1


@click.group("fleet", context_settings={"help_option_names": ["-h", "--help"]})
def command() -> None:
    """Work on a fleet of repos listed by URL (GitHub, GitLab, any git server)."""


@command.command("clone")
@click.argument("fleet_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.argument("dest", type=click.Path(path_type=Path, file_okay=False))
@click.option("--shard", metavar="K/N", help="Fetch only shard K of N (as audit --shard picks).")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Clones in parallel (network-bound, so more than the cores).",
)
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Commits of history to fetch.",
)
@click.option(
    "--record-only",
    is_flag=True,
    help="Fetch only the record files (a version inventory); audit needs full clones.",
)
@format_option("text", "json", help="Output format of the clone report (on stdout).")
def clone(
    fleet_file: Path,
    dest: Path,
    shard: str | None,
    jobs: int,
    depth: int,
    record_only: bool,
    fmt: str,
) -> int:
    """Clone the repos FLEET_FILE lists into DEST/NAME, shallow and in parallel.

    FLEET_FILE holds one repo a line: `URL [NAME]` (NAME defaults to the URL's last part).
    Complete clones are kept, so a rerun after an interruption fetches only what is missing;
    `scaffolder audit DEST --shard K/N` then checks the same shard.

    Exit codes: 0 every repo fetched, 1 some could not be (each listed), or a usage error.
    """
    from scaffolder.clone import clone_fleet, read_fleet
    from scaffolder.errors import AnswerError, ExitCode

    entries = read_fleet(fleet_file)
    if not entries:
        raise AnswerError(f"{fleet_file} lists no repos", hint="one `URL [NAME]` a line")
    if shard is not None:
        from scaffolder.shard import Shard

        entries = Shard.parse(shard).select(entries)
    results = clone_fleet(entries, dest, jobs=jobs, depth=depth, record_only=record_only)
    if fmt == "json":
        click.echo(json.dumps(_document(results, dest), indent=2))
    else:
        _print(results)
    return int(ExitCode.ERROR if any(r.status == "failed" for r in results) else ExitCode.OK)


def _summary(results: Sequence[CloneResult]) -> dict[str, int]:
    counts = Counter(r.status for r in results)
    return {k: counts.get(k, 0) for k in ("cloned", "present", "failed")}


def _document(results: Sequence[CloneResult], dest: Path) -> dict[str, object]:
    repos = []
    for r in results:
        entry = asdict(r)
        entry["records"] = [{"file": f, "golden_path": gp, "version": v} for f, gp, v in r.records]
        repos.append({"path": str(dest / r.name), **entry})
    return {"schema_version": SCHEMA_VERSION, "summary": _summary(results), "repos": repos}


def _print(results: Sequence[CloneResult]) -> None:
    for r in results:
        if r.status == "failed":
            click.echo(f"failed  {r.name}: {r.error}")
        else:
            versions = ", ".join(f"{gp} {v}" for _, gp, v in r.records) or "no record"
            click.echo(f"{r.status:7} {r.name} ({versions})")
    s = _summary(results)
    click.echo(f"{s['cloned']} cloned, {s['present']} already present, {s['failed']} failed")
