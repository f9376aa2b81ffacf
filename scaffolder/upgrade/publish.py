"""Fleet upgrades as pull requests: push each upgraded branch, open or update its request.

Per repo, after the upgrade ran on ``--branch``:

- the branch first starts from the remote's copy when there is one (a person may have
  resolved conflicts there), so a rerun builds on it and finds the upgrade already done;
  when the default branch moved on since, it is rebuilt from its head, or reported
  ``needs-rebase`` if a person added commits to it (:mod:`scaffolder.upgrade.branch`);
- conflicts are committed with their markers, never merged silently or dropped: the request
  is opened as a draft and its body lists the files to resolve;
- a branch with nothing beyond its base is ``skipped`` (the repo is already on the version);
- the branch is pushed (forced only over scaffolder's own commits, with a lease) and the
  forge's open request for it is updated, or one is opened, so reruns never duplicate one.

The request body is the upgrade report in markdown, built from what the branch holds against
its base (``git diff``), so a rerun describes the same change as the first run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffolder import yamlio
from scaffolder.errors import AnswerError, ScaffolderError
from scaffolder.forge import Request, forge_for
from scaffolder.git import _identity_env, run_git
from scaffolder.upgrade import transaction
from scaffolder.upgrade.branch import COMMIT_MARK, BranchStart, prepare_branch

if TYPE_CHECKING:
    from scaffolder.catalog import Catalog
    from scaffolder.project import ProjectRecord

MARKER = "<!-- scaffolder:golden-path-upgrade -->"
CONFLICT_START = "<<<<<<< "
STATUSES = ("opened", "updated", "pushed", "conflicted", "needs-rebase", "skipped", "failed")


@dataclass(frozen=True)
class PublishOptions:
    """``--push`` and its companions: where to push, which forge, labels and reviewers."""

    remote: str = "origin"
    forge: str | None = None  # "github" | "gitlab"; None pushes only
    labels: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()


BRANCH_FIELDS = ("golden_path", "version")


def check_branch_template(branch: str) -> None:
    """``--branch`` may name ``{golden_path}`` and ``{version}``, and nothing else."""
    import string

    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(branch) if name is not None}
    except ValueError as exc:
        fields = {f"({exc})"}
    unknown = sorted(fields - set(BRANCH_FIELDS))
    if unknown:
        raise AnswerError(
            f"--branch {branch!r} names {', '.join(unknown)}",
            hint="only {golden_path} and {version} are filled in, for example "
            "'golden-path/{golden_path}-{version}'",
        )


def branch_for(template: str, record: ProjectRecord, catalog: Catalog, to: str | None) -> str:
    """The branch of one repo: ``template`` with its golden path and target version."""
    if "{" not in template:
        return template
    from scaffolder.origin import golden_path_of

    version = golden_path_of(record, catalog).version(to).version
    return template.format(golden_path=record.golden_path, version=version)


def begin(repo: Path, branch: str, start: str, remote: str) -> BranchStart:
    """Check the repo can be published and prepare ``branch`` (:mod:`.branch`)."""
    if start == "HEAD":  # CI checkouts are often detached: a request needs a base branch
        raise ScaffolderError(
            f"{repo} is on a detached HEAD: check out the branch the pull request should "
            "target first (git checkout -B main)"
        )
    return prepare_branch(repo, branch, start, remote)


def commit_conflicts(repo: Path) -> str:
    """Commit an upgrade stopped on conflicts as it stands: markers in the files, the new
    version recorded (so the request, once resolved, is the whole upgrade)."""
    state = transaction.keep_conflicts(repo)
    message = (
        f"Upgrade golden path {state.golden_path} {state.from_version} -> {state.to_version}"
        f"\n\nConflicts to resolve: {', '.join(state.conflicts)}\n\n{COMMIT_MARK}"
    )
    paths = sorted({*state.touched, *state.conflicts, state.answers_file})
    run_git(repo, ["add", "--all", "--", *paths])
    run_git(repo, ["commit", "--quiet", "--no-verify", "-m", message], env=_identity_env(repo))
    return run_git(repo, ["rev-parse", "HEAD"]).strip()


def _changed(repo: Path, base: str, branch: str) -> list[tuple[str, str]]:
    out = run_git(repo, ["diff", "--name-status", "--no-renames", f"{base}...{branch}"])
    kinds = {"A": "added", "D": "deleted", "M": "updated"}
    rows = []
    for line in out.splitlines():
        status, _, path = line.partition("\t")
        rows.append((path, kinds.get(status[:1], status)))
    return rows


def _with_markers(repo: Path, branch: str, paths: list[str]) -> list[str]:
    found = []
    for path in paths:
        try:
            text = run_git(repo, ["show", f"{branch}:{path}"])
        except ScaffolderError:
            continue  # deleted on the branch
        if any(line.startswith(CONFLICT_START) for line in text.splitlines()):
            found.append(path)
    return found


def _version_at(repo: Path, ref: str, answers_file: str) -> str | None:
    try:
        data = yamlio.load(run_git(repo, ["show", f"{ref}:{answers_file}"]))
    except ScaffolderError:
        return None
    return str(data.get("_commit")) if isinstance(data, dict) and "_commit" in data else None


def request_body(
    golden_path: str,
    from_version: str | None,
    to_version: str,
    changes: list[tuple[str, str]],
    conflicts: list[str],
    immutable: list[dict[str, Any]] | None = None,
) -> str:
    """The pull request's body: the upgrade report in markdown."""
    since = f" (from {from_version})" if from_version else ""
    lines = [
        MARKER,
        f"## Golden path `{golden_path}` → {to_version}{since}",
        "",
        "Opened by `scaffolder upgrade`. Every file was merged three ways (the recorded "
        "version, this repo, the new version): local edits are kept.",
        "",
    ]
    if conflicts:
        lines += [
            f"### ⚠️ {len(conflicts)} file(s) with conflicts to resolve",
            "",
            "Both this repo and the golden path changed these lines. The files hold conflict "
            "markers (`<<<<<<<` this repo, `>>>>>>>` the golden path): resolve them on this "
            "branch, then mark the pull request ready.",
            "",
            *[f"- `{path}`" for path in conflicts],
            "",
        ]
    if immutable:
        lines += [
            f"### ⚠️ {len(immutable)} immutable-field change(s) the API server will refuse",
            "",
            "These objects cannot be updated in place (`field is immutable`): roll them out "
            "as each line says before or while this is synced.",
            "",
            *[f"- {_finding_line(f)}" for f in immutable],
            "",
        ]
    lines += [f"### Files changed ({len(changes)})", "", "| file | change |", "|---|---|"]
    lines += [f"| `{path}` | {kind} |" for path, kind in changes]
    lines += [
        "",
        "Running the upgrade again updates this pull request; it never opens a second one.",
    ]
    return "\n".join(lines) + "\n"


def publish(entry: dict[str, Any], repo: Path, branch: str, options: PublishOptions) -> None:
    """Push ``branch`` and open or update its request; records the outcome in ``entry``."""
    base = entry["base_commit"]  # the default branch's head the branch was built on
    if int(run_git(repo, ["rev-list", "--count", f"{base}..{branch}"]).strip()) == 0:
        entry["status"] = "skipped"  # nothing beyond the base: already on the version
        return
    # A rebuilt branch replaces scaffolder's own commits only: the lease makes the push fail
    # if the remote branch moved since it was read, instead of dropping what was pushed.
    lease = [f"--force-with-lease=refs/heads/{branch}:{entry['lease']}"] if entry["lease"] else []
    refspec = f"refs/heads/{branch}:refs/heads/{branch}"
    run_git(repo, ["push", "--quiet", *lease, options.remote, refspec])
    changes = _changed(repo, base, branch)
    conflicts = sorted(
        set(entry["conflicts"]) | set(_with_markers(repo, branch, [p for p, _ in changes]))
    )
    entry["conflicts"] = conflicts
    if options.forge is None:
        entry["status"] = "conflicted" if conflicts else "pushed"
        return
    answers_file = entry.get("answers_file") or ".copier-answers.yml"
    from_version = _version_at(repo, base, answers_file)
    to_version = entry["to"] or _version_at(repo, branch, answers_file) or "?"
    golden_path = entry.get("golden_path") or "golden path"
    request = Request(
        branch=branch,
        base=entry["base"],
        title=f"Upgrade golden path {golden_path} to {to_version}",
        body=request_body(
            golden_path, from_version, to_version, changes, conflicts, entry.get("immutable")
        ),
        labels=options.labels,
        reviewers=options.reviewers,
        draft=bool(conflicts),
    )
    forge = forge_for(options.forge)
    existing = forge.find(repo, branch)
    pr = forge.update(repo, existing, request) if existing else forge.create(repo, request)
    entry["pr"] = {
        "number": pr.number,
        "url": pr.url,
        "action": "updated" if existing else "opened",
    }
    entry["status"] = "conflicted" if conflicts else entry["pr"]["action"]


def fleet_markdown(report: dict[str, Any]) -> str:
    """The fleet summary as markdown (a job summary, a tracking issue)."""
    summary = ", ".join(f"{n} {status}" for status, n in report["summary"].items())
    lines = [
        f"## Golden path upgrade on `{report['branch']}`",
        "",
        summary,
        "",
        "| repo | status | from | to | pull request | details |",
        "|---|---|---|---|---|---|",
    ]
    for e in report["repos"]:
        pr = f"[#{e['pr']['number']}]({e['pr']['url']})" if e.get("pr") else ""
        details = e["error"] or e.get("note") or ", ".join(f"`{c}`" for c in e["conflicts"])
        if e.get("immutable"):
            details = f"{details} ⚠️ {immutable_summary(e['immutable'])}".strip()
        details = details.replace("|", r"\|")
        lines.append(
            f"| `{Path(e['path']).name}` | {e['status']} | {e['from'] or ''} | {e['to'] or ''} "
            f"| {pr} | {details} |"
        )
    return "\n".join(lines) + "\n"


def _finding_line(finding: dict[str, Any]) -> str:
    where = ": ".join(f"`{finding[k]}`" for k in ("file", "object", "field") if finding.get(k))
    return f"{where}: {finding['message']}"


def immutable_summary(findings: list[dict[str, Any]]) -> str:
    """ "2 immutable-field changes: Deployment/pay spec.selector, ..." for a table cell."""
    named = sorted(
        {f"{f.get('object') or f['file']} {f.get('field') or ''}".strip() for f in findings}
    )
    count = f"{len(findings)} immutable-field change{'s' if len(findings) != 1 else ''}"
    return f"{count}: {', '.join(named)}"
