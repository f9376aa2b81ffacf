"""The values standards work with: rules, their results, levels and the repo being checked."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

import yaml

from scaffolder import yamlio
from scaffolder.errors import ScaffolderError
from scaffolder.project import NOT_CONTENT
from scaffolder.repofiles import read_repo_text

DOCS = "https://scaffolder.dev/reference/rules/"


class Level(IntEnum):
    """Rule levels; a repo reaches a level when its rules and all lower levels' rules pass."""

    BRONZE = 1
    SILVER = 2
    GOLD = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Level:
        return cls[text.upper()]


@dataclass(frozen=True)
class Violation:
    """Where a rule fails: a file (and line when known), and what is wrong there."""

    message: str
    path: str = "."  # "." for repo-level findings
    line: int | None = None


@dataclass(frozen=True)
class Rule:
    """One check. ``check`` yields a :class:`Violation` for every place it fails."""

    id: str
    title: str
    level: Level
    rationale: str
    fix: str
    check: Callable[[RepoFiles], Iterator[Violation]] = field(compare=False, repr=False)
    family: str = "service"
    url: str = ""

    @property
    def help_url(self) -> str:
        return self.url or f"{DOCS}#{self.id.lower()}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Audit workers send results to the parent process; the parent only reports them,
        # so a rule travels without its check (closures do not pickle).
        return (
            _reported_rule,
            (self.id, self.title, self.level, self.rationale, self.fix, self.family, self.url),
        )


def _not_runnable(_repo: RepoFiles) -> Iterator[Violation]:
    raise RuntimeError("this rule was received from another process and cannot run here")


def _reported_rule(
    id: str, title: str, level: Level, rationale: str, fix: str, family: str, url: str
) -> Rule:
    return Rule(id, title, level, rationale, fix, _not_runnable, family, url)


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    violations: tuple[Violation, ...] = ()
    suppressed: tuple[tuple[Violation, str], ...] = ()  # (violation, exemption reason)

    @property
    def passed(self) -> bool:
        return not self.violations


@dataclass
class StandardsReport:
    results: list[RuleResult]
    exemption_problems: list[Violation] = field(default_factory=list)

    @property
    def level(self) -> Level | None:
        """The highest level whose rules, and every lower level's, all pass."""
        reached = None
        for level in Level:
            failing = [r for r in self.results if r.rule.level <= level and not r.passed]
            if failing or (level == Level.BRONZE and self.exemption_problems):
                break
            reached = level
        return reached

    def failed(self, at_or_below: Level = Level.GOLD) -> list[RuleResult]:
        return [r for r in self.results if not r.passed and r.rule.level <= at_or_below]


class RepoFiles:
    """Lazy, cached access to a repo's files and parsed manifests, shared by all rules.

    ``known``: bytes already read from the repo (None: the path is no file), as the drift
    check read them a moment before; other paths are read when a rule asks.
    """

    def __init__(self, root: Path, known: Mapping[str, bytes | None] | None = None) -> None:
        self.root = root
        self.known = known or {}

    @functools.cached_property
    def paths(self) -> list[str]:
        out: list[str] = []
        root = str(self.root)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in NOT_CONTENT)
            rel = os.path.relpath(dirpath, root).replace(os.sep, "/")
            prefix = "" if rel == "." else rel + "/"
            out.extend(prefix + name for name in sorted(filenames))
        return out

    def exists(self, *candidates: str) -> str | None:
        return next((c for c in candidates if (self.root / c).is_file()), None)

    def text(self, path: str) -> str:
        try:  # a FIFO or device is never opened (scaffolder.repofiles)
            if path in self.known:
                content = self.known[path]
                return "" if content is None else content.decode("utf-8")
            return read_repo_text(self.root, path) or ""
        except (ScaffolderError, UnicodeDecodeError):
            return ""

    @functools.cached_property
    def yaml_documents(self) -> list[tuple[str, Any]]:
        docs: list[tuple[str, Any]] = []
        for path in self.paths:
            if not path.endswith((".yaml", ".yml")) or path.startswith(".github/"):
                continue
            try:
                docs.extend((path, d) for d in yamlio.load_all(self.text(path)) if d)
            except yaml.YAMLError:
                continue  # `validate` reports YAML that does not parse
        return docs

    @functools.cached_property
    def patch_files(self) -> set[str]:
        """Files kustomizations use as patches: partial objects, not manifests."""
        out = set()
        for path, doc in self.yaml_documents:
            if not path.endswith(("kustomization.yaml", "kustomization.yml")) or not isinstance(
                doc, dict
            ):
                continue
            folder = Path(path).parent
            entries = [p.get("path") for p in doc.get("patches") or [] if isinstance(p, dict)]
            entries += [p for p in doc.get("patchesStrategicMerge") or [] if isinstance(p, str)]
            out |= {os.path.normpath(folder / e) for e in entries if isinstance(e, str)}
        return out

    @functools.cached_property
    def manifests(self) -> list[tuple[str, Mapping[str, Any]]]:
        """Kubernetes objects (anything with apiVersion and kind, Backstage excluded)."""
        return [
            (p, d)
            for p, d in self.yaml_documents
            if isinstance(d, dict)
            and "apiVersion" in d
            and "kind" in d
            and p not in self.patch_files
            and not str(d["apiVersion"]).startswith(
                ("backstage.io/", "kustomize.config", "scaffolder.backstage.io/")
            )
        ]

    @functools.cached_property
    def kustomization_images(self) -> dict[str, dict[str, str]]:
        """``images:`` overrides (name -> newTag/digest/newName) by kustomization folder."""
        out: dict[str, dict[str, str]] = {}
        for path, doc in self.yaml_documents:
            if path.endswith(("kustomization.yaml", "kustomization.yml")) and isinstance(doc, dict):
                folder = Path(path).parent.as_posix()
                for entry in doc.get("images") or []:
                    if isinstance(entry, dict) and entry.get("name"):
                        out.setdefault(folder, {})[str(entry["name"])] = (
                            f"@{entry['digest']}"
                            if entry.get("digest")
                            else f":{entry['newTag']}"
                            if entry.get("newTag")
                            else ""
                        )
        return out

    def image_for(self, path: str, image: str) -> str:
        """The image a kustomization in the file's folder or above turns ``image`` into."""
        name = image.split("@", maxsplit=1)[0]
        if ":" in name.rsplit("/", maxsplit=1)[-1]:
            name = name.rsplit(":", 1)[0]
        for folder in [Path(path).parent, *Path(path).parent.parents]:
            override = self.kustomization_images.get(folder.as_posix(), {}).get(name)
            if override:
                return name + override
        return image

    def labels_for(self, path: str, obj: Mapping[str, Any]) -> dict[str, str]:
        """An object's labels plus those kustomizations in its folder or above add."""
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        labels = dict((meta or {}).get("labels") or {})
        for folder in [Path(path).parent, *Path(path).parent.parents]:
            labels.update(self.kustomization_labels.get(folder.as_posix(), {}))
        return labels

    @functools.cached_property
    def kustomization_labels(self) -> dict[str, dict[str, str]]:
        """Labels a kustomization adds to everything it includes, by its folder."""
        out: dict[str, dict[str, str]] = {}
        for path, doc in self.yaml_documents:
            if not path.endswith(("kustomization.yaml", "kustomization.yml")) or not isinstance(
                doc, dict
            ):
                continue
            labels: dict[str, str] = dict(doc.get("commonLabels") or {})
            for entry in doc.get("labels") or []:
                labels.update((entry or {}).get("pairs") or {})
            out[str(Path(path).parent.as_posix())] = labels
        return out

    def workflows(self) -> list[tuple[str, Any]]:
        out = []
        for path in self.paths:
            if path.startswith(".github/workflows/") and path.endswith((".yml", ".yaml")):
                try:
                    out.append((path, yamlio.load(self.text(path))))
                except yaml.YAMLError:
                    continue
        return out
