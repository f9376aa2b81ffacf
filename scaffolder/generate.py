"""Library API for making a new repo from a golden path; every front end calls this."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffolder.catalog import Catalog, GoldenPath, GoldenPathVersion
from scaffolder.git import init_and_commit
from scaffolder.project import ProjectRecord
from scaffolder.questions import Answers, Ask, resolve_answers
from scaffolder.render import RenderedTree, Renderer, RenderMeta
from scaffolder.writer import check_destination, create_atomically, write_tree


@functools.cache
def renderer_for(version: GoldenPathVersion) -> Renderer:
    """One renderer per golden-path version per process, shared by every caller."""
    return Renderer.for_root(version.root)


@dataclass(frozen=True)
class Plan:
    """A golden-path version with its answers: everything needed to render."""

    golden_path: GoldenPath
    version: GoldenPathVersion
    answers: Answers

    @property
    def renderer(self) -> Renderer:
        return renderer_for(self.version)

    def record(self) -> ProjectRecord:
        return ProjectRecord(
            golden_path=self.golden_path.name,
            version=self.version.version,
            catalog=self.golden_path.catalog,
            src_path=self.golden_path.src_path,
            answers=self.answers.recorded,
        )

    @property
    def answers_file(self) -> str:
        return self.renderer.answers_path(self.answers)

    def render(self, folder_name: str = "") -> RenderedTree:
        meta = RenderMeta(self.golden_path.src_path, self.version.version, folder_name)
        return self.renderer.render(self.answers, meta)


def plan(
    catalog: Catalog,
    name: str,
    *,
    version: str | None = None,
    data: Mapping[str, Any] | None = None,
    ask: Ask | None = None,
) -> Plan:
    """Resolve golden path, version and answers; raises before anything is written."""
    golden_path = catalog.get(name)
    chosen = golden_path.version(version)
    renderer = renderer_for(chosen)
    answers = resolve_answers(renderer.config.questions, renderer.evaluator, data or {}, ask=ask)
    return Plan(golden_path, chosen, answers)


@dataclass(frozen=True)
class GenerateResult:
    golden_path: str
    version: str
    destination: Path
    files: list[str]
    commit: str | None = None
    record: ProjectRecord | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "golden_path": self.golden_path,
            "version": self.version,
            "destination": str(self.destination),
            "files": self.files,
            "commit": self.commit,
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
    note(f"rendering {the_plan.golden_path.name} {the_plan.version.version}")
    tree = the_plan.render(folder_name=dest.name)
    record = the_plan.record()
    answers_file = the_plan.answers_file
    commit: list[str] = []

    def fill(tmp: Path) -> list[str]:
        note(f"writing {len(tree) + 1} files")
        written = write_tree(tmp, tree, {answers_file: record.to_yaml()})
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
        record.golden_path, record.version, dest, files, commit[0] if commit else None, record
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
    files = add_files_atomically(repo, tree, {answers_file: record.to_yaml()})
    sha = None
    if git and (repo / ".git").exists():
        note("committing the new files")
        sha = commit_paths(
            repo,
            files,
            f"Add {record.golden_path} {record.version} ({answers_file})\n\nMade by scaffolder.",
        )
    return GenerateResult(record.golden_path, record.version, repo, files, sha, record)
