"""Library API for making a new repo from a golden path; every front end calls this."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

from scaffolder import notices
from scaffolder.catalog import (
    COOKIECUTTER_CONFIG,
    Catalog,
    GoldenPath,
    GoldenPathVersion,
    formats_of,
)
from scaffolder.errors import TemplateError
from scaffolder.git import init_and_commit
from scaffolder.project import AD_HOC, ProjectRecord
from scaffolder.questions import Answers, Ask, Evaluator, Question, resolve_answers
from scaffolder.render import RenderedTree, Renderer, RenderMeta
from scaffolder.writer import check_destination, create_atomically, write_tree

if TYPE_CHECKING:
    from scaffolder.cookiecutter_engine import CookiecutterRenderer


class TemplateConfigLike(Protocol):
    @property
    def questions(self) -> tuple[Question, ...]: ...

    def question(self, name: str) -> Question | None: ...


class TemplateRenderer(Protocol):
    """What every engine's renderer offers (copier's :class:`Renderer`, cookiecutter's)."""

    @property
    def config(self) -> TemplateConfigLike: ...

    @property
    def evaluator(self) -> Evaluator: ...

    def answers_path(self, answers: Answers) -> str: ...

    def render(self, answers: Answers, meta: RenderMeta) -> RenderedTree: ...


@functools.cache
def renderer_for(version: GoldenPathVersion) -> TemplateRenderer:
    """One renderer per golden-path version per process, shared by every caller."""
    origin = f"{version.golden_path} {version.version}"  # names it in template errors
    if version.engine == "cookiecutter":
        from scaffolder.cookiecutter_engine import CookiecutterRenderer

        return CookiecutterRenderer(version.root, trusted=version.trusted, origin=origin)
    try:
        return Renderer.for_root(version.root, origin)
    except TemplateError as exc:
        if "cookiecutter" not in formats_of(version.root):
            raise
        raise TemplateError(  # a template moving between tools: its other format may work
            exc.message,
            hint=f"{origin} also ships {COOKIECUTTER_CONFIG}, which `--engine cookiecutter`"
            " reads (see docs/guides/cookiecutter.md)",
        ) from exc


@dataclass(frozen=True)
class Plan:
    """A golden-path version with its answers: everything needed to render."""

    golden_path: GoldenPath
    version: GoldenPathVersion
    answers: Answers
    skip: tuple[str, ...] = ()  # paths the repo keeps to itself (cruft's ``skip``)
    checkout: str | None = None  # the ref the user asked for, recorded as cruft does

    @property
    def renderer(self) -> TemplateRenderer:
        return renderer_for(self.version)

    def meta(self, folder_name: str = "", destination: Path | None = None) -> RenderMeta:
        return RenderMeta(
            self.golden_path.src_path,
            self.version.version,
            folder_name,
            self.version.commit or "",
            str(destination) if destination else "",
        )

    def record(self) -> ProjectRecord:
        record = ProjectRecord(
            golden_path=self.golden_path.name,
            version=self.version.version,
            catalog=self.golden_path.catalog,
            src_path=self.golden_path.src_path,
            answers=self.answers.recorded,
            file=self.answers_file,
            commit=self.version.commit,
            directory=self.golden_path.source.directory if self.golden_path.source else "",
        )
        if self.version.engine != "cookiecutter":
            if self.version.commit is not None:  # copier records a git template's tag or commit
                return replace(record, version=self.version.ref or self.version.commit)
            return record
        from scaffolder.cookiecutter_engine import CookiecutterRenderer

        renderer = self.renderer
        assert isinstance(renderer, CookiecutterRenderer)
        state: dict[str, Any] = {
            "template": record.src_path,
            "commit": self.version.record_commit,
            "checkout": self.checkout,
            "context": {"cookiecutter": renderer.context(self.answers, self.meta())},
            "directory": record.directory or None,
        }
        if record.catalog != AD_HOC:
            state["_scaffolder"] = {"golden_path": record.golden_path, "catalog": record.catalog}
        return replace(record, cruft=state)

    @property
    def answers_file(self) -> str:
        return self.renderer.answers_path(self.answers)

    def render(self, folder_name: str = "", destination: Path | None = None) -> RenderedTree:
        """The tree; ``destination`` is the repo it is compared with (hooks may record it)."""
        tree = self.renderer.render(self.answers, self.meta(folder_name, destination))
        if not self.skip:
            return tree
        kept = {p: f for p, f in tree.items() if not skipped(p, self.skip)}
        return RenderedTree(kept, tree.messages)


def skipped(path: str, skip: tuple[str, ...]) -> bool:
    """Whether cruft's ``skip`` covers ``path`` (an entry names a file or a folder)."""
    parts = PurePosixPath(path).parts
    return any(
        parts[: len(PurePosixPath(entry).parts)] == PurePosixPath(entry).parts for entry in skip
    )


def plan(
    catalog: Catalog,
    name: str,
    *,
    version: str | None = None,
    data: Mapping[str, Any] | None = None,
    ask: Ask | None = None,
    checkout: str | None = None,
) -> Plan:
    """Resolve golden path, version and answers; raises before anything is written.

    ``checkout``: the git ref the user named for a template kept in git (it is recorded).
    """
    golden_path = catalog.get(name)
    chosen = golden_path.version(checkout or version)
    formats = formats_of(chosen.root)
    if golden_path.template_format and golden_path.template_format not in formats:
        raise TemplateError(
            f"{name} {chosen.version} is not a {golden_path.template_format} template",
            hint=f"drop --engine: it holds a {' and a '.join(formats) or 'no'} template",
        )
    renderer = renderer_for(chosen)
    if len(formats) > 1:
        other = "cookiecutter" if chosen.engine == "copier" else "copier"
        notices.add(
            f"{name} ships both copier.yml and {COOKIECUTTER_CONFIG}: read it as a"
            f" {chosen.engine} template (`--engine {other}` reads the other)"
        )
    answers = resolve_answers(renderer.config.questions, renderer.evaluator, data or {}, ask=ask)
    return Plan(golden_path, chosen, answers, checkout=checkout)


@dataclass(frozen=True)
class GenerateResult:
    golden_path: str
    version: str
    destination: Path
    files: list[str]
    commit: str | None = None
    record: ProjectRecord | None = field(default=None, compare=False)
    messages: tuple[str, ...] = ()  # the template's words for the user (see RenderedTree)

    def to_json(self) -> dict[str, Any]:
        return {
            "golden_path": self.golden_path,
            "version": self.version,
            "destination": str(self.destination),
            "files": self.files,
            "commit": self.commit,
            "messages": list(self.messages),
        }


def generate(
    the_plan: Plan,
    dest: Path,
    *,
    git: bool = True,
    progress: Callable[[str], None] | None = None,
) -> GenerateResult:
    """Render and write a new repo at ``dest`` atomically, with a first commit.

    A golden path whose target is ``existing-repo`` adds its files to the repo at ``dest``
    instead (never overwriting one) and commits just those files.
    """
    note = progress or (lambda _msg: None)
    dest = dest.absolute()
    if the_plan.golden_path.target == "existing-repo":
        return _add_to_repo(the_plan, dest, git=git, note=note)
    check_destination(dest)
    from scaffolder.cookiecutter_engine import CookiecutterRenderer

    renderer = the_plan.renderer
    if isinstance(renderer, CookiecutterRenderer) and renderer.hooks_run:
        return _generate_in_place(the_plan, renderer, dest, git=git, note=note)
    note(f"rendering {the_plan.golden_path.name} {the_plan.version.version}")
    tree = the_plan.render(folder_name=dest.name)
    record = the_plan.record()
    answers_file = the_plan.answers_file
    commit: list[str] = []

    def fill(tmp: Path) -> list[str]:
        note(f"writing {len(tree) + 1} files")
        written = write_tree(tmp, tree, {answers_file: record.serialize()})
        if git:
            note("making the first git commit")
            commit.append(
                init_and_commit(
                    tmp,
                    f"Generate from golden path {record.golden_path} {record.version}\n\n"
                    f"Made by scaffolder; answers recorded in {answers_file}.",
                )
            )
        return written

    files = create_atomically(dest, fill)
    return GenerateResult(
        record.golden_path,
        record.version,
        dest,
        files,
        commit[0] if commit else None,
        record,
        tree.messages,
    )


def _generate_in_place(
    the_plan: Plan,
    renderer: CookiecutterRenderer,
    dest: Path,
    *,
    git: bool,
    note: Callable[[str], None],
) -> GenerateResult:
    """``new`` for a template whose hooks run: they run at ``dest``, as under cruft."""
    from scaffolder.writer import in_place

    record = the_plan.record()
    answers_file = the_plan.answers_file
    commit = None
    with in_place(dest):
        note(f"rendering {the_plan.golden_path.name} {the_plan.version.version} in {dest}")
        tree = renderer.render_into(the_plan.answers, the_plan.meta(dest.name, dest), dest)
        (dest / answers_file).write_text(record.serialize(), encoding="utf-8")
        if git:
            note("making the first git commit")
            commit = init_and_commit(
                dest,
                f"Generate from golden path {record.golden_path} {record.version}\n\n"
                f"Made by scaffolder; answers recorded in {answers_file}.",
            )
    files = sorted({*tree, answers_file})
    return GenerateResult(
        record.golden_path, record.version, dest, files, commit, record, tree.messages
    )


def _add_to_repo(
    the_plan: Plan, repo: Path, *, git: bool, note: Callable[[str], None]
) -> GenerateResult:
    from scaffolder.git import commit_paths
    from scaffolder.writer import add_files_atomically

    note(f"rendering {the_plan.golden_path.name} {the_plan.version.version}")
    tree = the_plan.render(folder_name=repo.name)
    record = the_plan.record()
    answers_file = the_plan.answers_file
    note(f"adding {len(tree) + 1} files to {repo}")
    files = add_files_atomically(repo, tree, {answers_file: record.serialize()})
    sha = None
    if git and (repo / ".git").exists():
        note("committing the new files")
        sha = commit_paths(
            repo,
            files,
            f"Add {record.golden_path} {record.version} ({answers_file})\n\nMade by scaffolder.",
        )
    return GenerateResult(
        record.golden_path, record.version, repo, files, sha, record, tree.messages
    )
