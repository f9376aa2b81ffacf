"""Planning an upgrade: migrations, then a three-way merge of every file, all in memory."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scaffolder import migrations
from scaffolder.catalog import Catalog, GoldenPathVersion
from scaffolder.drift import read_repo_files
from scaffolder.drift_scope import DriftScope, scope_of
from scaffolder.engines import renderer_for, skip_if_exists
from scaffolder.errors import AnswerError, ProjectError
from scaffolder.generate import Plan
from scaffolder.origin import Origin, load_origin, target_plan
from scaffolder.project import ProjectRecord
from scaffolder.questions import Ask
from scaffolder.render import RenderMeta
from scaffolder.safepath import problem
from scaffolder.upgrade.links import Links, merge_link, repo_links, tree_links
from scaffolder.upgrade.snapshot import undone_on_failure
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
    # copier `_migrations` of the target ("stage: command") and the `_commit` they start from
    copier_migrations: list[str] = field(default_factory=list)
    from_commit: str = ""

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
    migrate: bool = False,
    say: Callable[[str | None], None] | None = None,
) -> UpgradePlan:
    """Everything the upgrade will do, computed without touching the repo; except that with
    ``migrate`` the target's copier ``_migrations`` of the ``before`` stage run first (in the
    repo, trusted templates only), as ``copier update`` runs them; if planning then fails,
    the repo's files are put back as they were before the migrations. ``say`` is given the
    target's ``_message_before_update`` before that (copier's moment)."""
    origin = load_origin(repo, catalog, answers_file=answers_file)
    gp = origin.golden_path
    at = repo.resolve()
    base_plan = origin.base_plan()
    base_tree = base_plan.render(at.name, at)  # copier: before any migration runs
    base = base_tree.contents()
    base_meta = base_plan.meta(at.name, at)
    from_commit = base_meta.version
    to_version = origin.target_version(to).version
    if say is not None and to_version != origin.record.version:
        from scaffolder.template_messages import BEFORE_UPDATE, render_message

        version = origin.target_version(to)
        meta = target_meta(version, base_meta)
        say(render_message(renderer_for(version), BEFORE_UPDATE, None, meta))
    # A failure after the `before` migrations changed the repo puts its files back.
    with undone_on_failure(repo) as mark:
        pending = _copier_migrations(
            origin.target_version(to), base_meta, repo, run=migrate, before_change=mark
        )
        if pending and migrate:  # copier reads the answers file again: migrations may change it
            origin = load_origin(repo, catalog, answers_file=answers_file)
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
        theirs_tree = target.plan.render(at.name, at)
        theirs = theirs_tree.contents()
        moved_from = {str(s.args["from"]) for s in steps if s.kind == "move"}
        original = read_repo_files(repo, set(base) | set(theirs) | moved_from)
        links = Links(tree_links(base_tree), repo_links(repo, original), tree_links(theirs_tree))
        ours = dict(original)
        file_migration = migrations.apply_file_steps(steps, base, ours)
        labels = _labels(origin, to_version)
        result = UpgradePlan(
            repo,
            origin,
            target.plan,
            target.plan.record(at.name).carried_from(origin.record, target.plan.version.ref, to),
            # The record named by --answers-file is the one upgraded (as `copier update
            # --answers-file`), not a second one where the template would put it.
            origin.answers_file if answers_file else target.plan.answers_file,
            base=base,
            theirs=theirs,
            copier_migrations=pending,
            from_commit=from_commit,
        )
        result.notes += [f"migration {s}" for s in target.migrated + file_migration.done]
        result.notes += _migration_notes(pending, ran=migrate)
        result.notes += [
            f"migration kept {p}: changed locally, so not deleted" for p in file_migration.kept
        ]
        result.notes += [
            f"answer {k!r} is no longer asked by {to_version}; dropped from the record"
            + ("" if "(" in k else " (this upgrade still renders with it, as copier update does)")
            for k in target.dropped
        ]
        scope = scope_of(origin, base_plan, target.plan)
        keep = skip_if_exists(target.plan.renderer, target.plan.answers.context)
        final, actions = _merge_all(repo, result, ours, labels, scope, keep, links)
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


def _migration_notes(pending: list[str], *, ran: bool) -> list[str]:
    """What the plan says of the target's copier migrations ("stage: command" each)."""
    before = "ran" if ran else "runs (with --trust)"
    after = "runs once the files are merged" if ran else "runs after the merge (with --trust)"
    return [f"copier migration {c}: {before if c.startswith('before') else after}" for c in pending]


def _copier_migrations(
    version: GoldenPathVersion,
    base: RenderMeta,
    repo: Path,
    *,
    run: bool,
    before_change: Callable[[], None],
) -> list[str]:
    """The copier ``_migrations`` of ``version`` from the recorded one ("stage: command");
    with ``run``, refused unless trusted, and the ``before`` stage run in the repo."""
    from scaffolder.engines import copier_migrations
    from scaffolder.engines.copier import CopierRenderer

    renderer = renderer_for(version)
    pending = copier_migrations.pending(renderer, base.version)
    if pending and run:
        assert isinstance(renderer, CopierRenderer)
        copier_migrations.check_trusted(renderer, base.version)  # before anything runs
        meta = target_meta(version, base)
        before_change()
        copier_migrations.run_stage(renderer, "before", repo, from_commit=base.version, meta=meta)
    return pending


def target_meta(version: GoldenPathVersion, base: RenderMeta) -> RenderMeta:
    """The target's render metadata before its plan exists (its answers are not read yet)."""
    from scaffolder.engines import describe

    return replace(base, version=describe(version), commit=version.commit or "")


def _merge_all(
    repo: Path,
    result: UpgradePlan,
    ours: Mapping[str, bytes | None],
    labels: tuple[str, str, str],
    scope: DriftScope,
    keep: Callable[[str], bool],
    links: Links,
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
        elif path in links:
            values = (base.get(path), ours.get(path), theirs.get(path))
            merge = functools.partial(_merge_in_scope, scope=scope)
            action, content, note = merge_link(path, values, links, labels, merge)
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
