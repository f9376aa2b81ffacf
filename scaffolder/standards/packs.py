"""Organisation rule packs: declarative rules in a catalog's ``rules/`` folder.

Rules are data, not code, so a catalog never runs anything on the machines that audit with
it. Each rule combines checks of these forms (docs/reference/rules.md):

``require_file`` (one of the paths must exist), ``forbid_file`` (glob patterns that must not
match), ``file_contains`` ({path, pattern}: a regex that must match the file),
``manifest_field`` ({kinds, field}: a dotted path every object of those kinds must set).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from scaffolder.errors import CatalogError
from scaffolder.limits import load_yaml, read_config_text
from scaffolder.standards.model import Level, RepoFiles, Rule, Violation

CHECKS = ("require_file", "forbid_file", "file_contains", "manifest_field")


def load_packs(catalog_roots: list[Path]) -> list[Rule]:
    rules = []
    for root in catalog_roots:
        for path in sorted((root / "rules").glob("*.y*ml")):
            try:
                data = load_yaml(read_config_text(path), str(path)) or {}
            except yaml.YAMLError as exc:
                raise CatalogError(f"rule pack {path} is not valid YAML: {exc}") from exc
            for spec in data.get("rules") or []:
                rules.append(_rule(path, spec))
    return rules


def _rule(path: Path, spec: Mapping[str, Any]) -> Rule:
    try:
        level = Level.parse(str(spec["level"]))
        checks = [_check(name, spec[name]) for name in CHECKS if name in spec]
        if not checks:
            raise KeyError("one of " + ", ".join(CHECKS))
        return Rule(
            str(spec["id"]),
            str(spec["title"]),
            level,
            str(spec.get("rationale", "")),
            str(spec.get("fix", "")),
            _all(checks),
            family=str(spec.get("applies_to", "service")),
            url=str(spec.get("url", "")),
        )
    except KeyError as exc:
        raise CatalogError(
            f"rule pack {path}: rule {spec.get('id', '?')!r} needs {exc}",
            hint="see docs/reference/rules.md for the format",
        ) from None


Check = Callable[[RepoFiles], Iterator[Violation]]


def _all(checks: list[Check]) -> Check:
    def check(repo: RepoFiles) -> Iterator[Violation]:
        for c in checks:
            yield from c(repo)

    return check


def _check(name: str, arg: Any) -> Check:
    if name == "require_file":
        paths = [arg] if isinstance(arg, str) else list(arg)

        def require(repo: RepoFiles) -> Iterator[Violation]:
            if not repo.exists(*paths):
                yield Violation(f"missing {' or '.join(paths)}")

        return require
    if name == "forbid_file":
        patterns = [arg] if isinstance(arg, str) else list(arg)

        def forbid(repo: RepoFiles) -> Iterator[Violation]:
            for p in repo.paths:
                if any(fnmatch.fnmatch(p, pat) for pat in patterns):
                    yield Violation("file is not allowed here", p)

        return forbid
    if name == "file_contains":
        target, pattern = str(arg["path"]), re.compile(str(arg["pattern"]), re.M)

        def contains(repo: RepoFiles) -> Iterator[Violation]:
            if not pattern.search(repo.text(target)):
                yield Violation(f"does not match /{pattern.pattern}/", target)

        return contains
    kinds, dotted = set(arg["kinds"]), str(arg["field"]).split(".")

    def field_set(repo: RepoFiles) -> Iterator[Violation]:
        for p, obj in repo.manifests:
            if obj.get("kind") in kinds and _get(obj, dotted) in (None, "", [], {}):
                name = (obj.get("metadata") or {}).get("name")
                yield Violation(f"{obj.get('kind')}/{name} does not set {'.'.join(dotted)}", p)

    return field_set


def _get(obj: Any, path: list[str]) -> Any:
    for part in path:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(part)
    return obj
