"""Migrations: steps a golden-path version declares for repos upgrading to it.

``<version>/migrations.yml``::

    migrations:
      - from: "<2.0.0"             # PEP 440 specifier matched against the recorded version
        steps:
          - move: {from: deploy/base/horizontalpodautoscaler.yaml, to: deploy/base/hpa.yaml}
          - delete: .python-version
          - rename_answer: {from: team, to: owner}
          - set_answer: {name: tier, value: standard}

Every version between the recorded one (exclusive) and the target (inclusive) contributes its
matching migrations, oldest version first. ``move`` and ``delete`` act on the repo's files and
on the base render, so the three-way merge compares the right files; ``delete`` removes a file
only when the repo did not change it. Answer steps rewrite the recorded answers before the
target version's questions are resolved.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from scaffolder.catalog import GoldenPath
from scaffolder.errors import CatalogError
from scaffolder.limits import LimitError, load_yaml, read_config_text

MIGRATIONS_FILE = "migrations.yml"
FILE_STEPS = ("move", "delete")
ANSWER_STEPS = ("rename_answer", "set_answer")


@dataclass(frozen=True)
class Step:
    version: str  # the version that declared it
    kind: str
    args: Mapping[str, Any]

    def describe(self) -> str:
        if self.kind == "move":
            return f"move {self.args['from']} -> {self.args['to']}"
        if self.kind == "delete":
            return f"delete {self.args['path']}"
        if self.kind == "rename_answer":
            return f"rename answer {self.args['from']} -> {self.args['to']}"
        return f"set answer {self.args['name']} = {self.args['value']!r}"


def steps_between(golden_path: GoldenPath, recorded: str, target: str) -> list[Step]:
    """The migration steps to run going from ``recorded`` to ``target``, in order."""
    start, end = golden_path.release(recorded), golden_path.release(target)
    if start is None or end is None:  # a git template's untagged commit: no range to migrate
        return []
    steps: list[Step] = []
    for version in golden_path.versions:
        if not start < Version(version.version) <= end:
            continue
        path = version.root / MIGRATIONS_FILE
        if not path.is_file():
            continue
        try:
            data = load_yaml(read_config_text(path), str(path)) or {}
        except LimitError:
            raise
        except Exception as exc:
            raise CatalogError(f"{path} is not valid YAML: {exc}") from exc
        for entry in data.get("migrations") or []:
            try:
                spec = SpecifierSet(str(entry.get("from", "")))
            except InvalidSpecifier as exc:
                raise CatalogError(
                    f"{path}: invalid 'from' {entry.get('from')!r}",
                    hint='use a PEP 440 specifier such as "<2.0.0"',
                ) from exc
            if start not in spec:
                continue
            for raw in entry.get("steps") or []:
                steps.append(_parse_step(path, version.version, raw))
    return steps


def _parse_step(path: Any, version: str, raw: Any) -> Step:
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise CatalogError(f"{path}: each step is one of {', '.join(FILE_STEPS + ANSWER_STEPS)}")
    kind, args = next(iter(raw.items()))
    if kind == "delete":
        return Step(version, kind, {"path": str(args)})
    required = {
        "move": ("from", "to"),
        "rename_answer": ("from", "to"),
        "set_answer": ("name", "value"),
    }.get(kind)
    if required is None or not isinstance(args, Mapping) or any(k not in args for k in required):
        raise CatalogError(
            f"{path}: step {raw!r} is not valid",
            hint="see docs/guides/template-authors.md for the step forms",
        )
    return Step(version, kind, dict(args))


def apply_answer_steps(steps: Sequence[Step], answers: MutableMapping[str, Any]) -> list[str]:
    """Rewrite recorded answers in place; returns what was done."""
    done = []
    for step in steps:
        if step.kind == "rename_answer" and step.args["from"] in answers:
            answers[step.args["to"]] = answers.pop(step.args["from"])
            done.append(step.describe())
        elif step.kind == "set_answer" and step.args["name"] not in answers:
            answers[step.args["name"]] = step.args["value"]
            done.append(step.describe())
    return done


@dataclass
class FileMigration:
    """The effect of file steps on the base render and the repo's files (in memory)."""

    moved: dict[str, str] = field(default_factory=dict)  # new path -> old path in the repo
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # delete refused: the repo changed the file
    done: list[str] = field(default_factory=list)


def apply_file_steps(
    steps: Sequence[Step], base: dict[str, bytes], ours: dict[str, bytes | None]
) -> FileMigration:
    """Move and delete paths in both trees, so the merge pairs the right files."""
    result = FileMigration()
    for step in steps:
        if step.kind == "move":
            old, new = str(step.args["from"]), str(step.args["to"])
            moved = False
            if old in base:
                base[new] = base.pop(old)
                moved = True
            if ours.get(old) is not None:
                ours[new] = ours.pop(old)
                ours[old] = None
                result.moved[new] = result.moved.pop(old, old)
                moved = True
            if moved:
                result.done.append(step.describe())
        elif step.kind == "delete":
            path = str(step.args["path"])
            if ours.get(path) is None:
                base.pop(path, None)
            elif ours[path] == base.get(path):
                ours[path] = None
                base.pop(path, None)
                result.deleted.append(path)
                result.done.append(step.describe())
            else:
                result.kept.append(path)
    return result
