"""Library API for making a new repo from a golden path; every front end calls this."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from scaffolder import engines, notices
from scaffolder.catalog import (
    COOKIECUTTER_CONFIG,
    Catalog,
    GoldenPath,
    GoldenPathVersion,
    formats_of,
)
from scaffolder.engines import TemplateRenderer
from scaffolder.errors import TemplateError
from scaffolder.git import init_and_commit
from scaffolder.project import AD_HOC, ProjectRecord
from scaffolder.questions import Answers, Ask, resolve_answers
from scaffolder.render import RenderedTree, RenderMeta
from scaffolder.writer import check_destination, create_atomically, write_tree

if TYPE_CHECKING:
    from scaffolder.cookiecutter_engine import CookiecutterRenderer

renderer_for = engines.renderer_for  # callers import it from here


@dataclass(frozen=True)
class Plan:
    """A golden-path version with its answers: everything needed to render."""

    golden_path: GoldenPath
    version: GoldenPathVersion
    answers: Answers
    skip: tuple[str, ...] = ()  # paths the repo keeps to itself (cruft's ``skip``)
    checkout: str | None = None  # the ref the user asked for, recorded as cruft does
    engine: str | None = None  # --engine: force native or copier (None: the classifier's)
    src_path: str | None = None  # copier's _src_path as a copier-made record wrote it

    @property
    def source(self) -> str:
        return self.src_path or self.golden_path.src_path

    @property
    def renderer(self) -> TemplateRenderer:
        return renderer_for(self.version, self.engine)

    def meta(self, folder_name: str = "", destination: Path | None = None) -> RenderMeta:
        return RenderMeta(
            self.source,
            self._copier_commit,
            folder_name,
            self.version.commit or "",
            str(destination) if destination else "",
        )

    @property
    def _copier_commit(self) -> str:
        """copier's ``_commit``: the catalog version, else the tag or ``git describe``."""
        if self.version.commit is None or self.version.engine == "cookiecutter":
            return self.version.version
        from scaffolder.engines import describe

        return describe(self.version)

    def _full_render(self, folder_name: str = "", destination: Path | None = None) -> RenderedTree:
        return self.renderer.render(self.answers, self.meta(folder_name, destination))

    def writes_record(self, folder_name: str = "") -> bool:
        """Whether ``new`` writes a record: copier's template writes none when it has no
        answers-file template, and a template straight from git is rendered as copier does;
        a catalog golden path always records itself, so diff and upgrade can follow it."""
        if self.version.engine == "cookiecutter" or self.golden_path.catalog != AD_HOC:
            return True
        return self.answers_file in self._full_render(folder_name)

    def record(self, folder_name: str = "") -> ProjectRecord:
        """What the repo records; ``folder_name`` as given to :meth:`render` (the render the
        template's own answers file comes from)."""
        record = ProjectRecord(
            golden_path=self.golden_path.name,
            version=self.version.version,
            catalog=self.golden_path.catalog,
            src_path=self.source,
            answers=self.answers.recorded,
            file=self.answers_file,
            commit=self.version.commit,
            directory=self.golden_path.source.directory if self.golden_path.source else "",
        )
        if self.version.engine != "cookiecutter":
            if self.version.commit is not None:  # copier records `git describe` of the commit
                record = replace(record, version=self._copier_commit)
            own = self._full_render(folder_name).get(self.answers_file)
            if own is not None:  # the template's own answers file, byte for byte copier's
                return replace(record, text=own.content.decode("utf-8"))
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
        """The template's files; the answers file is the record (:meth:`record`), not one.
        ``destination`` is the repo the tree is compared with (hooks may record it)."""
        tree = self._full_render(folder_name, destination)
        answers_file = self.answers_file
        if not self.skip and answers_file not in tree:
            return tree
        kept = {p: f for p, f in tree.items() if p != answers_file and not skipped(p, self.skip)}
        return RenderedTree(kept, tree.messages, tree.folders)


def skipped(path: str, skip: tuple[str, ...]) -> bool:
    """Whether cruft's ``skip`` covers ``path`` (an entry names a file or a folder)."""
    parts = PurePosixPath(path).parts
    return any(
        parts[: len(PurePosixPath(entry).parts)] == PurePosixPath(entry).parts for entry in skip
    )


def check_format(golden_path: GoldenPath, chosen: GoldenPathVersion) -> tuple[str, ...]:
    """The formats ``chosen`` ships; an error if ``--engine`` asked for one it lacks."""
    formats = formats_of(chosen.root)
    if golden_path.template_format and golden_path.template_format not in formats:
        raise TemplateError(
            f"{golden_path.name} {chosen.version} is not a {golden_path.template_format} template",
            hint=f"drop --engine: it holds a {' and a '.join(formats) or 'no'} template",
        )
    return formats


def plan(
    catalog: Catalog,
    name: str,
    *,
    version: str | None = None,
    data: Mapping[str, Any] | None = None,
    ask: Ask | None = None,
    checkout: str | None = None,
    engine: str | None = None,
    dest: Path | None = None,
) -> Plan:
    """Resolve golden path, version and answers; raises before anything is written.

    ``checkout``: the git ref the user named for a template kept in git (it is recorded).
    ``dest``: where ``new`` will make the repo; the template's ``_message_before_copy`` is
    shown (on stderr) before the answers are resolved, as copier shows it.
    """
    golden_path = catalog.get(name)
    chosen = golden_path.version(checkout or version)
    formats = check_format(golden_path, chosen)
    renderer = renderer_for(chosen, engine)
    if len(formats) > 1:
        other = "cookiecutter" if chosen.engine == "copier" else "copier"
        notices.add(
            f"{name} ships both copier.yml and {COOKIECUTTER_CONFIG}: read it as a"
            f" {chosen.engine} template (`--engine {other}` reads the other)"
        )
    if dest is not None:  # copier shows it before it asks anything
        from scaffolder.template_messages import before_copy, show

        show(before_copy(golden_path, chosen, renderer, dest, checkout=checkout))
    answers = resolve_answers(renderer.config.questions, renderer.evaluator, data or {}, ask=ask)
    return Plan(golden_path, chosen, answers, checkout=checkout, engine=engine)


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
    renderer = the_plan.renderer
    if the_plan.version.engine == "cookiecutter":  # imports cookiecutter: only then
        from scaffolder.cookiecutter_engine import CookiecutterRenderer

        assert isinstance(renderer, CookiecutterRenderer)
        if renderer.hooks_run:
            return _generate_in_place(the_plan, renderer, dest, git=git, note=note)
    note(f"rendering {the_plan.golden_path.name} {the_plan.version.version}")
    tree = the_plan.render(folder_name=dest.name)
    record = the_plan.record(dest.name)
    answers_file = the_plan.answers_file
    commit: list[str] = []

    if not the_plan.writes_record(dest.name):
        notices.add(
            f"{the_plan.golden_path.src_path} has no answers-file template, so (as copier) no"
            f" {answers_file} was written; to diff and upgrade the repo later, record one with"
            " `scaffolder adopt DEST --template URL@REF`"
        )

    def fill(tmp: Path) -> list[str]:
        note(f"writing {len(tree) + 1} files")
        extra = {answers_file: record.serialize()} if the_plan.writes_record(dest.name) else {}
        written = write_tree(tmp, tree, extra)
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
        _said(the_plan, tree, dest),
    )


def _said(the_plan: Plan, tree: RenderedTree, dest: Path) -> tuple[str, ...]:
    """What the template says once generated: what its tasks or hooks printed, then its
    ``_message_after_copy`` (copier's order)."""
    from scaffolder.template_messages import AFTER_COPY, render_message

    meta = the_plan.meta(dest.name, dest)
    after = render_message(the_plan.renderer, AFTER_COPY, the_plan.answers, meta)
    return (*tree.messages, *((after.strip(),) if after and after.strip() else ()))


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
        record.golden_path, record.version, dest, files, commit, record, _said(the_plan, tree, dest)
    )


def _add_to_repo(
    the_plan: Plan, repo: Path, *, git: bool, note: Callable[[str], None]
) -> GenerateResult:
    from scaffolder.git import commit_paths
    from scaffolder.writer import add_files_atomically

    note(f"rendering {the_plan.golden_path.name} {the_plan.version.version}")
    tree = the_plan.render(folder_name=repo.name)
    record = the_plan.record(repo.name)
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
        record.golden_path, record.version, repo, files, sha, record, _said(the_plan, tree, repo)
    )
