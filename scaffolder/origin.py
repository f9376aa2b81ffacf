"""Where a repo comes from, and the renders diff and upgrade compare it with.

A repo's *origin* is its recorded golden path, version and answers. From it we build two
plans: the **base** (the recorded version with the recorded answers: what the repo looked
like when it was generated or last upgraded) and the **target** (a newer version, with the
recorded answers carried over and new questions answered). Both render through the shared
renderers, so a fleet with common versions compiles each template once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scaffolder.catalog import Catalog, GoldenPath, GoldenPathVersion, load_catalog
from scaffolder.engines.base import COOKIECUTTER
from scaffolder.errors import AnswersError
from scaffolder.generate import Plan, renderer_for
from scaffolder.gitsource import is_version_tag, normalize_url
from scaffolder.project import AD_HOC, ANSWERS_FILE, ProjectRecord, read_record
from scaffolder.questions import Ask, resolve_answers


@dataclass(frozen=True)
class Origin:
    """A repo's recorded golden path, version and answers, resolved in a catalog."""

    repo: Path
    record: ProjectRecord
    golden_path: GoldenPath
    recorded: bool = True  # False when given on the command line for a foreign repo
    answers_file: str = ANSWERS_FILE

    def base_plan(self) -> Plan:
        """The recorded version rendered with the recorded answers."""
        version = self.golden_path.version(self.record.version)
        renderer = renderer_for(version)
        known = {q.name for q in renderer.config.questions if not q.computed}
        answers = resolve_answers(
            renderer.config.questions,
            renderer.evaluator,
            {k: v for k, v in self.record.answers.items() if k in known},
        )
        return Plan(self.golden_path, version, answers, self.record.skip, src_path=self.copier_src)

    @property
    def copier_src(self) -> str | None:
        """The ``_src_path`` a copier-made record names, kept as written."""
        if self.record.catalog == AD_HOC and self.record.cruft is None:
            return self.record.src_path
        return None

    def target_version(self, wanted: str | None = None) -> GoldenPathVersion:
        """The version diff and upgrade compare with: ``wanted``, else the one to follow.

        Catalog versions: the latest. A template kept in git follows what the repo was made
        from, as cruft does: a branch the record names in ``checkout``; the branch head when
        the recorded commit has no version tag; else the newest version tag. It never goes
        back to a commit the repo's own version already contains.
        """
        gp = self.golden_path
        if wanted is not None or gp.source is None:
            return gp.version(wanted)
        recorded = gp.version(self.record.version)
        checkout = (self.record.cruft or {}).get("checkout")
        if isinstance(checkout, str) and checkout and not is_version_tag(checkout):
            target = gp.version(checkout)
        elif recorded.ref is None:
            target = gp.version("HEAD")
        else:
            target = gp.latest
        assert target.commit is not None and recorded.commit is not None
        if target.commit != recorded.commit and gp.source.is_ancestor(
            target.commit, recorded.commit
        ):
            return recorded
        return target


@dataclass(frozen=True)
class AnswerProblem:
    """A recorded answer the target version does not accept, or a new question to answer."""

    question: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        return self.message + (f"; {self.hint}" if self.hint else "")


@dataclass(frozen=True)
class TargetPlan:
    plan: Plan | None  # None when the answers could not be resolved for the target
    problems: list[AnswerProblem] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # answers the target no longer asks
    migrated: list[str] = field(default_factory=list)  # answer migrations that ran


def load_origin(
    repo: Path,
    catalog: Catalog | None = None,
    *,
    golden_path: str | None = None,
    version: str | None = None,
    data: Mapping[str, Any] | None = None,
    answers_file: str | None = None,
    checkout: str | None = None,
) -> Origin:
    """The origin recorded in ``repo``, or one given for a repo scaffolder did not make.

    ``answers_file`` None reads copier's answers file, else cruft's ``.cruft.json``.
    ``checkout``: the git ref named for a given golden path, recorded as ``new`` records it.
    """
    catalog = catalog or load_catalog()
    if golden_path is not None:
        gp = catalog.get(golden_path)
        chosen = gp.version(version)
        renderer = renderer_for(chosen)
        answers = resolve_answers(renderer.config.questions, renderer.evaluator, data or {})
        record = Plan(gp, chosen, answers, checkout=checkout).record()
        return Origin(repo, record, gp, recorded=False, answers_file=record.file)
    record = read_record(repo, answers_file)
    if catalog.relocated is not None and record.catalog == AD_HOC:
        moved = catalog.relocated
        record = replace(record, src_path=moved.url, directory=moved.directory)
    # The record decides how a template with both formats is read (issue 16).
    gp = golden_path_of(record, catalog, repo).with_format(
        "cookiecutter" if record.cruft is not None else "copier"
    )
    # Fails early, listing the versions, if it is not there; a cruft record names a commit.
    found = gp.version(record.commit or record.version)
    return Origin(repo, replace(record, version=found.version), gp, answers_file=record.file)


def copier_src(src: str, repo: Path | None) -> str:
    """copier's ``_src_path`` as a location: a relative path is resolved from the repo, or
    else from the working folder (copier resolves it from where it runs)."""
    local = Path(src).expanduser()
    if "://" in src or src.startswith(("gh:", "gl:", "git@")) or local.is_absolute():
        return src
    near = (repo / local).resolve() if repo is not None else None
    return str(near if near is not None and near.exists() else local.resolve())


def golden_path_of(record: ProjectRecord, catalog: Catalog, repo: Path | None = None) -> GoldenPath:
    """The golden path a record names: in the catalog, or the git template it was made from."""
    if record.catalog == AD_HOC:
        if record.cruft is None and not record.directory:  # a record copier wrote
            return catalog.template(*normalize_url(copier_src(record.src_path, repo)))
        return catalog.template(record.src_path, record.directory)
    return catalog.get(record.golden_path)


def _copier_drops(origin: Origin, question: str | None, data: Mapping[str, Any] | None) -> bool:
    """Whether a rejected answer is a recorded one of a copier-made repo (not a --data one)."""
    recorded = question is not None and question in origin.record.answers
    return origin.copier_src is not None and recorded and question not in (data or {})


def target_plan(
    origin: Origin,
    version: str | None = None,
    *,
    data: Mapping[str, Any] | None = None,
    ask: Ask | None = None,
) -> TargetPlan:
    """The target version with the recorded answers carried over.

    Answers to questions the target no longer asks are dropped (and listed). An answer the
    target rejects, or a new required question nobody answered, becomes a problem; every
    problem is collected, not just the first.
    """
    from scaffolder.migrations import apply_answer_steps, steps_between

    chosen = origin.target_version(version)
    renderer = renderer_for(chosen)
    recorded = dict(origin.record.answers)
    steps = steps_between(origin.golden_path, origin.record.version, chosen.version)
    migrated = apply_answer_steps(steps, recorded) if origin.recorded else []
    known = {q.name for q in renderer.config.questions if not q.computed}
    carried = {k: v for k, v in recorded.items() if k in known}
    dropped = sorted(k for k in recorded if k not in known)
    provided = {**carried, **(data or {})}
    while True:  # each retry drops a rejected answer, so this ends
        try:
            answers = resolve_answers(
                renderer.config.questions, renderer.evaluator, provided, ask=ask
            )
        except AnswersError as exc:  # every missing and invalid answer, each with its example
            rejected = [i.question for i in exc.issues if _copier_drops(origin, i.question, data)]
            if rejected:
                # copier update forgets a recorded answer the new version rejects and takes
                # the default: a copier-made repo upgrades as `copier update --defaults` does.
                for question in rejected:
                    provided.pop(question)
                    dropped.append(f"{question} (rejected by the new version; default used)")
                continue
            problems = [
                AnswerProblem(
                    i.question,
                    i.message,
                    (("pass " if i.missing else "for example: ") + i.example)
                    if i.example
                    else None,
                )
                for i in exc.issues
            ]
            return TargetPlan(None, problems, dropped, migrated)
        if chosen.engine != COOKIECUTTER:  # copier's update renders with its last answers
            asked = {q.name for q in renderer.config.questions}
            orphans = {k: v for k, v in recorded.items() if k not in asked | set(provided)}
            answers = replace(answers, orphans=orphans)
        the_plan = Plan(
            origin.golden_path, chosen, answers, origin.record.skip, src_path=origin.copier_src
        )
        return TargetPlan(the_plan, [], dropped, migrated)
