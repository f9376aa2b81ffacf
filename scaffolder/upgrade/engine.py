"""Planning an upgrade: migrations, then a three-way merge of every file, all in memory."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffolder import migrations
from scaffolder.catalog import Catalog
from scaffolder.drift import read_repo_files
from scaffolder.drift_scope import DriftScope, scope_of
from scaffolder.engines import skip_if_exists
from scaffolder.errors import AnswerError, ProjectError
from scaffolder.generate import Plan
from scaffolder.origin import Origin, load_origin, target_plan
from scaffolder.project import ProjectRecord
from scaffolder.questions import Ask
from scaffolder.safepath import problem
from scaffolder.upgrade.textmerge import merge_text
from scaffolder.upgrade.yamlmerge import merge_yaml
from scaffolder.validate.findings import Finding

YAML_SUFFIXES = (".yaml", ".yml")
# A binary file changed on both sides keeps ours; the template's version is written beside it.
THEIRS_SUFFIX = ".theirs"


@dataclass(frozen=True)
class FileChange:
    """What the upgrade does to one path of the repo."""

    path: str
    action: str  # update | add | delete | merge | yaml-merge | conflict | move | keep-deleted
    before: bytes | None
    after: bytes | None
    note: str = ""


@dataclass
class UpgradePlan:
    repo: Path
    origin: Origin
    target: Plan
    record: ProjectRecord  # what the answers file records once the upgrade completes
    answers_file: str
    changes: list[FileChange] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Updates the API server will refuse (scaffolder.upgrade.immutable), filled in by the run.
    immutable: list[Finding] = field(default_factory=list)
    # The two renders the merge used, after migrations moved paths: git's conflict stages.
    base: dict[str, bytes] = field(default_factory=dict, repr=False)
    theirs: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def from_version(self) -> str:
        return self.origin.record.version

    @property
    def to_version(self) -> str:
        return self.target.version.version

    @property
    def writes(self) -> dict[str, bytes | None]:
        """Every path whose content changes: new bytes, or None to delete it."""
        return {c.path: c.after for c in self.changes if c.before != c.after}


def _labels(origin: Origin, to_version: str) -> tuple[str, str, str]:
    gp = origin.golden_path.name
    return ("your edit", f"{gp} {origin.record.version} (base)", f"template {gp} {to_version}")


def _safe(path: str) -> str:
    why = problem(path)  # the write guard's rules (scaffolder.safepath)
    if why is not None:
        raise ProjectError(
            f"refusing to write outside the repo: {path!r} ({why})",
            hint="the golden path or its migrations name a path outside it",
        )
    return path


def merge_file(
    path: str,
    base: bytes | None,
    ours: bytes | None,
    theirs: bytes | None,
    labels: tuple[str, str, str],
) -> tuple[str, bytes | None, str]:
    """(action, new content or None, note) for one path; ``conflict`` keeps markers."""
    if theirs is None:  # the target version does not have it
        if ours is None:
            return "keep-deleted", None, ""
        if base is not None and ours != base:
            return (
                "conflict",
                ours,
                (
                    f"removed by {labels[2]} but changed locally; kept "
                    "(delete it if the change is no longer needed)"
                ),
            )
        return "delete", None, f"removed by {labels[2]}"
    if ours is None:
        if base is not None:
            return "keep-deleted", None, "deleted locally; stays deleted"
        return "add", theirs, f"new in {labels[2]}"
    if ours == theirs:
        return "same", ours, ""
    if base is not None and ours == base:
        return "update", theirs, ""
    if base is not None and theirs == base:
        return "same", ours, "local edit kept"
    merged = merge_text(
        base or b"",
        ours,
        theirs,
        ours_label=labels[0],
        base_label=labels[1],
        theirs_label=labels[2],
    )
    if merged.binary:
        return (
            "conflict",
            ours,
            (
                f"binary file changed on both sides; kept yours, {labels[2]}'s is in"
                f" {path}{THEIRS_SUFFIX}"
            ),
        )
    if merged.conflicts == 0:
        return "merge", merged.content, "local edits and template changes merged"
    if path.endswith(YAML_SUFFIXES) and base is not None:
        structured = merge_yaml(base, ours, theirs)
        if structured is not None:
            return "yaml-merge", structured, "merged object by object, key by key"
    return "conflict", merged.content, f"{merged.conflicts} conflicting hunk(s) marked"


_HOOKS_LEFT = "left as is: hooks that did not run name it"


def _merge_in_scope(
    path: str,
    base: bytes | None,
    ours: bytes | None,
    theirs: bytes | None,
    labels: tuple[str, str, str],
    scope: DriftScope,
) -> tuple[str, bytes | None, str]:
    """:func:`merge_file`, except that a file generated per repo keeps ours, and one the
    skipped hooks of an untrusted template name is left as is (what they would do to it is
    unknown: a trusted upgrade handles it)."""
    if ours is not None and scope.is_generated(path):
        return "same", ours, "generated per repo; kept yours"
    action, content, note = merge_file(path, base, ours, theirs, labels)
    if action not in ("same", "keep-deleted") and scope.hooks_name(path):
        return "same", ours, _HOOKS_LEFT
    return action, content, note


def plan_upgrade(
    repo: Path,
    catalog: Catalog,
    *,
    to: str | None = None,
    data: Mapping[str, Any] | None = None,
    ask: Ask | None = None,
    answers_file: str | None = None,
) -> UpgradePlan:
    """Everything the upgrade will do, computed without touching the repo."""
    origin = load_origin(repo, catalog, answers_file=answers_file)
    gp = origin.golden_path
    to_version = origin.target_version(to).version
    steps = migrations.steps_between(gp, origin.record.version, to_version)
    target = target_plan(origin, to_version, data=data, ask=ask)
    if target.plan is None:
        first = target.problems[0]
        raise AnswerError(
            f"cannot upgrade to {gp.name} {to_version}: "
            + "; ".join(p.message for p in target.problems),
            question=first.question,
            hint="; ".join(p.hint for p in target.problems if p.hint) or None,
        )
    at = repo.resolve()
    base_plan = origin.base_plan()
    base = base_plan.render(at.name, at).contents()
    theirs = target.plan.render(at.name, at).contents()
    moved_from = {str(s.args["from"]) for s in steps if s.kind == "move"}
    original = read_repo_files(repo, set(base) | set(theirs) | moved_from)
    ours = dict(original)
    file_migration = migrations.apply_file_steps(steps, base, ours)
    labels = _labels(origin, to_version)
    result = UpgradePlan(
        repo,
        origin,
        target.plan,
        target.plan.record(at.name).carried_from(origin.record, target.plan.version.ref),
        target.plan.answers_file,
        base=base,
        theirs=theirs,
    )
    result.notes += [f"migration {s}" for s in target.migrated + file_migration.done]
    if getattr(target.plan.renderer.config, "migrations", False):
        result.notes.append(
            f"{gp.name} has copier _migrations; scaffolder does not run them (copier update"
            " does): check what they would change"
        )
    result.notes += [
        f"migration kept {p}: changed locally, so not deleted" for p in file_migration.kept
    ]
    result.notes += [
        f"answer {k!r} is no longer asked by {to_version}; dropped" for k in target.dropped
    ]
    scope = scope_of(origin, base_plan, target.plan)
    keep = skip_if_exists(target.plan.renderer, target.plan.answers.context)
    final, actions = _merge_all(repo, result, ours, labels, scope, keep)
    for path in sorted(set(final) | set(original)):
        before, after = original.get(path), final.get(path)
        if before == after:
            continue
        action, note = actions.get(path, ("delete" if after is None else "update", ""))
        if path in file_migration.moved:
            note = f"moved from {file_migration.moved[path]}" + (f"; {note}" if note else "")
        elif after is None and path in moved_from:
            action, note = "move", "moved by a migration"
        result.changes.append(FileChange(_safe(path), action, before, after, note))
    return result


def _merge_all(
    repo: Path,
    result: UpgradePlan,
    ours: Mapping[str, bytes | None],
    labels: tuple[str, str, str],
    scope: DriftScope,
    keep: Callable[[str], bool],
) -> tuple[dict[str, bytes | None], dict[str, tuple[str, str]]]:
    """Every file of the base and target renders merged with the repo's: the files as they
    will be, and what happens to each (conflicts and notes go to ``result``)."""
    base, theirs = result.base, result.theirs
    final: dict[str, bytes | None] = dict(ours)
    actions: dict[str, tuple[str, str]] = {}
    left: list[str] = []  # named by hooks that did not run
    for path in sorted(set(base) | set(theirs)):
        if keep(path) and ours.get(path) is not None and theirs.get(path) is not None:
            action, content, note = "same", ours[path], ""
            if ours[path] != theirs[path]:
                result.notes.append(f"kept {path}: _skip_if_exists leaves it to the repo")
        else:
            action, content, note = _merge_in_scope(
                path, base.get(path), ours.get(path), theirs.get(path), labels, scope
            )
        if note == _HOOKS_LEFT:
            left.append(path)
        final[path] = content
        actions[path] = (action, note)
        if action == "conflict":
            result.conflicts.append(path)
            beside = path + THEIRS_SUFFIX
            if note.endswith(beside) and not (repo / beside).exists() and beside not in theirs:
                final[beside] = theirs[path]
                actions[beside] = ("add", f"{labels[2]}'s version of {path}, to resolve by hand")
    if left:
        result.notes.append(
            "left as is, since the template's hooks, which did not run, name them (trust the"
            " template to upgrade them): " + ", ".join(left)
        )
    return final, actions
