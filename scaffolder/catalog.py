"""The catalog: where golden paths and their versions live.

Layout (documented in docs/reference/catalog.md)::

    <catalog>/
      templates/<name>/          service golden paths (kind "service")
      baselines/<name>/          cluster baseline golden paths (kind "baseline")
        golden-path.yml          title, description, owner, tags
        CHANGELOG.md
        <X.Y.Z>/copier.yml       one folder per version: a copier template
        <X.Y.Z>/template/...

Versions are folders so every version stays available offline from an installed wheel
(diff and upgrade render the version a repo was made from). The built-in catalog ships as
package data; organisations add their own with ``--catalog DIR`` or ``SCAFFOLDER_CATALOG``
(``os.pathsep``-separated). A golden path in an organisation catalog shadows a built-in one
of the same name.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from packaging.version import InvalidVersion, Version

from scaffolder.errors import (
    CatalogError,
    UnknownGoldenPathError,
    UnknownVersionError,
    did_you_mean,
)

BUILTIN = "builtin"
ENV_VAR = "SCAFFOLDER_CATALOG"
KINDS = {"templates": "service", "baselines": "baseline"}
METADATA_FILE = "golden-path.yml"
TARGETS = ("new-repo", "existing-repo")
CONFIG_NAMES = ("copier.yml", "copier.yaml")


def find_config(root: Path) -> Path | None:
    """The version folder's copier.yml, if it has one."""
    return next((root / n for n in CONFIG_NAMES if (root / n).is_file()), None)


@dataclass(frozen=True)
class GoldenPathVersion:
    """One version of a golden path: a folder holding a copier template."""

    golden_path: str
    version: str
    root: Path


@dataclass(frozen=True)
class GoldenPath:
    """A golden path and all of its versions, oldest first."""

    name: str
    kind: str
    title: str
    description: str
    owner: str
    tags: tuple[str, ...]
    root: Path
    catalog: str
    versions: tuple[GoldenPathVersion, ...]
    target: str = "new-repo"  # or "existing-repo": adds files to a repo made by another one

    @property
    def latest(self) -> GoldenPathVersion:
        return self.versions[-1]

    @property
    def version_names(self) -> list[str]:
        return [v.version for v in self.versions]

    @property
    def src_path(self) -> str:
        """How answers files name this golden path's source (copier's ``_src_path``)."""
        return f"{self.catalog}:{self.root.parent.name}/{self.name}"

    def version(self, wanted: str | None) -> GoldenPathVersion:
        """The named version (a leading ``v`` is accepted), or the latest."""
        if wanted is None or wanted == "latest":
            return self.latest
        normalized = wanted[1:] if wanted.startswith("v") else wanted
        for v in self.versions:
            if v.version == normalized:
                return v
        raise UnknownVersionError(
            f"golden path {self.name!r} has no version {wanted!r}",
            hint="available: " + ", ".join(self.version_names),
        )


@dataclass(frozen=True)
class CatalogSource:
    location: str  # as the user gave it, or "builtin"; recorded in answers files
    path: Path


@dataclass(frozen=True)
class Catalog:
    sources: tuple[CatalogSource, ...]
    golden_paths: Mapping[str, GoldenPath]

    def __iter__(self) -> Iterator[GoldenPath]:
        return iter(sorted(self.golden_paths.values(), key=lambda g: (g.kind != "service", g.name)))

    def get(self, name: str) -> GoldenPath:
        try:
            return self.golden_paths[name]
        except KeyError:
            raise UnknownGoldenPathError(
                f"unknown golden path {name!r}",
                hint=did_you_mean(name, self.golden_paths) + " (`scaffolder list` shows all)",
            ) from None


def builtin_catalog_path() -> Path:
    """The catalog shipped with the package (wheel) or the checkout's root (editable)."""
    package = Path(__file__).resolve().parent
    bundled = package / "_catalog"
    if bundled.is_dir():
        return bundled
    return package.parent


def catalog_locations(explicit: Sequence[str] = ()) -> list[str]:
    """Catalogs to search, in priority order: ``--catalog``, the env var, then built-in."""
    locations = list(explicit)
    if not locations:
        env = os.environ.get(ENV_VAR, "")
        locations = [p for p in env.split(os.pathsep) if p]
    return [*locations, BUILTIN]


def load_catalog(explicit: Sequence[str] = ()) -> Catalog:
    """Discover golden paths in the given catalogs plus the built-in one."""
    return _load(tuple(catalog_locations(explicit)))


@functools.cache
def _load(locations: tuple[str, ...]) -> Catalog:
    sources = []
    found: dict[str, GoldenPath] = {}
    for location in locations:
        path = builtin_catalog_path() if location == BUILTIN else Path(location).expanduser()
        if not path.is_dir():
            raise CatalogError(
                f"catalog {location!r} is not a directory",
                hint=f"pass an existing folder to --catalog or {ENV_VAR}",
            )
        source = CatalogSource(location, path.resolve())
        sources.append(source)
        golden = list(_discover(source))
        if location != BUILTIN and not golden:
            raise CatalogError(
                f"catalog {location!r} holds no golden paths",
                hint="a catalog has templates/<name>/golden-path.yml and version folders;"
                " see docs/reference/catalog.md",
            )
        for gp in golden:
            found.setdefault(gp.name, gp)  # earlier catalogs shadow later ones
    return Catalog(tuple(sources), found)


def _discover(source: CatalogSource) -> Iterable[GoldenPath]:
    for folder, kind in KINDS.items():
        base = source.path / folder
        if not base.is_dir():
            continue
        for child in sorted(base.iterdir()):
            if (child / METADATA_FILE).is_file():
                yield _load_golden_path(child, kind, source.location)


def _load_golden_path(root: Path, kind: str, catalog: str) -> GoldenPath:
    meta_path = root / METADATA_FILE
    try:
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CatalogError(f"{meta_path} is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise CatalogError(f"{meta_path} must be a mapping")
    name = str(meta.get("name", root.name))
    if name != root.name:
        raise CatalogError(f"{meta_path}: name {name!r} must match its folder {root.name!r}")
    versions = []
    for child in root.iterdir():
        if not child.is_dir() or find_config(child) is None:
            continue
        try:
            parsed = Version(child.name)
        except InvalidVersion:
            raise CatalogError(
                f"{child}: version folders must be named X.Y.Z", hint="rename it, for example 1.0.0"
            ) from None
        versions.append((parsed, GoldenPathVersion(name, child.name, child)))
    if not versions:
        raise CatalogError(
            f"golden path {name!r} at {root} has no versions",
            hint="add a folder like 1.0.0/ with copier.yml",
        )
    versions.sort(key=lambda item: item[0])
    target = str(meta.get("target", "new-repo"))
    if target not in TARGETS:
        raise CatalogError(f"{meta_path}: target must be one of {', '.join(TARGETS)}")
    return GoldenPath(
        name=name,
        kind=kind,
        title=str(meta.get("title", name)),
        description=str(meta.get("description", "")),
        owner=str(meta.get("owner", "")),
        tags=tuple(str(t) for t in meta.get("tags", []) or []),
        root=root,
        catalog=catalog,
        versions=tuple(v for _, v in versions),
        target=target,
    )
