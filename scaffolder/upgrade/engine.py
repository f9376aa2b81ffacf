"""Planning an upgrade: migrations, then a three-way merge of every file, all in memory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from scaffolder import migrations
from scaffolder.catalog import Catalog
from scaffolder.drift import read_repo_files
from scaffolder.engines import skip_if_exists
from scaffolder.errors import AnswerError, ProjectError
from scaffolder.generate import Plan
from scaffolder.origin import Origin, load_origin, target_plan
from scaffolder.project import ProjectRecord
from scaffolder.questions import Ask
from scaffolder.upgrade.textmerge import merge_text
from scaffolder.upgrade.yamlmerge import merge_yaml

YAML_SUFFIXES = (".yaml", ".yml")


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
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts:
        raise ProjectError(
            f"refusing to write outside the repo: {path}",
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
    if merged.conflicts == 0:
        return "merge", merged.content, "local edits and template changes merged"
    if path.endswith(YAML_SUFFIXES) and base is not None:
        structured = merge_yaml(base, ours, theirs)
        if structured is not None:
            return "yaml-merge", structured, "merged object by object, key by key"
    try:
        for data in (base or b"", ours, theirs):
            data.decode("utf-8")
    except UnicodeDecodeError:
        return "conflict", ours, "binary file changed on both sides; kept yours"
    return "conflict", merged.content, f"{merged.conflicts} conflicting hunk(s) marked"


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
            hint=first.hint,
        )
    folder = repo.resolve().name
    base = origin.base_plan().render(folder).contents()
    theirs = target.plan.render(folder).contents()
    moved_from = {str(s.args["from"]) for s in steps if s.kind == "move"}
    original = read_repo_files(repo, set(base) | set(theirs) | moved_from)
    ours = dict(original)
    file_migration = migrations.apply_file_steps(steps, base, ours)
    labels = _labels(origin, to_version)
    result = UpgradePlan(
        repo,
        origin,
        target.plan,
        target.plan.record(folder).carried_from(origin.record, target.plan.version.ref),
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
    final: dict[str, bytes | None] = dict(ours)
    actions: dict[str, tuple[str, str]] = {}
    keep = skip_if_exists(target.plan.renderer, target.plan.answers.context)
    for path in sorted(set(base) | set(theirs)):
        if keep(path) and ours.get(path) is not None and theirs.get(path) is not None:
            action, content, note = "same", ours[path], ""
            if ours[path] != theirs[path]:
                result.notes.append(f"kept {path}: _skip_if_exists leaves it to the repo")
        else:
            action, content, note = merge_file(
                path, base.get(path), ours.get(path), theirs.get(path), labels
            )
        final[path] = content
        actions[path] = (action, note)
        if action == "conflict":
            result.conflicts.append(path)
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
