"""The catalog: where golden paths and their versions live.

Layout (documented in docs/reference/catalog.md)::

    <catalog>/
      templates/<name>/          service golden paths (kind "service")
      baselines/<name>/          cluster baseline golden paths (kind "baseline")
        golden-path.yml          title, description, owner, tags
        CHANGELOG.md
        <X.Y.Z>/copier.yml       one folder per version: a copier template,
        <X.Y.Z>/cookiecutter.json  or a cookiecutter template
        (or ``source: URL`` in golden-path.yml: versions are the tags of a git repository)

Versions are folders so every version stays available offline from an installed wheel
(diff and upgrade render the version a repo was made from). The built-in catalog ships as
package data; organisations add their own with ``--catalog DIR`` or ``SCAFFOLDER_CATALOG``
(``os.pathsep``-separated). A golden path in an organisation catalog shadows a built-in one
of the same name.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from packaging.version import InvalidVersion, Version

from scaffolder.errors import (
    CatalogError,
    UnknownGoldenPathError,
    UnknownVersionError,
    did_you_mean,
)
from scaffolder.gitsource import GitTemplate, normalize_url, parse_spec
from scaffolder.limits import load_yaml, read_config_text
from scaffolder.trust import is_trusted

BUILTIN = "builtin"
ENV_VAR = "SCAFFOLDER_CATALOG"
KINDS = {"templates": "service", "baselines": "baseline"}
METADATA_FILE = "golden-path.yml"
TARGETS = ("new-repo", "existing-repo")
CONFIG_NAMES = ("copier.yml", "copier.yaml")
COOKIECUTTER_CONFIG = "cookiecutter.json"


def find_config(root: Path) -> Path | None:
    """The version folder's copier.yml, if it has one."""
    return next((root / n for n in CONFIG_NAMES if (root / n).is_file()), None)


def formats_of(root: Path) -> tuple[str, ...]:
    """The template formats a folder holds, the default first: copier's, then cookiecutter's."""
    found = ("copier",) if find_config(root) is not None else ()
    return found + (("cookiecutter",) if (root / COOKIECUTTER_CONFIG).is_file() else ())


def engine_of(root: Path, preferred: str | None = None) -> str | None:
    """Which tool's template a folder holds: ``copier``, ``cookiecutter`` or None.

    A folder with both (a template moving from one tool to the other) is read as ``preferred``
    when given (a repo's record, or ``--engine``), else as copier's (docs/guides/cookiecutter.md).
    """
    formats = formats_of(root)
    if preferred in formats:
        return preferred
    return formats[0] if formats else None


@dataclass(frozen=True)
class GoldenPathVersion:
    """One version of a golden path: a catalog folder, or a commit of a git template."""

    golden_path: str
    version: str
    folder: Path | None = None  # the catalog's version folder
    commit: str | None = None  # the git commit, for a template kept in git
    ref: str | None = None  # the tag that names the commit (None for an untagged commit)
    source: GitTemplate | None = None
    trusted: bool = False  # may run the template's hooks and local extensions
    template_format: str | None = None  # for a folder with both formats: which to read
    renderer: str | None = None  # ``--engine native|copier``: forced (None: the classifier's)

    @property
    def root(self) -> Path:
        """The template's files (a git commit is exported on first use)."""
        if self.source is not None and self.commit is not None:
            return self.source.folder(self.commit)
        assert self.folder is not None
        return self.folder

    @property
    def engine(self) -> str:
        engine = engine_of(self.root, self.template_format)
        if engine is None:
            raise CatalogError(
                f"{self.golden_path} {self.version} holds neither copier.yml nor cookiecutter.json",
                hint="a template version needs one of them at its root",
            )
        return engine

    @property
    def record_commit(self) -> str:
        """What a record names this version by: the git commit, else the version."""
        return self.commit or self.version


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
    source: GitTemplate | None = None  # versions are the tags of this git repository
    trusted: bool = False
    template_format: str | None = None  # read dual-format versions as this format
    renderer: str | None = None  # ``--engine native|copier``: every version's renderer
    # golden-path.yml's ``generated_per_repo``: gitignore-style patterns of files made per
    # repo (a hook's random secret); diff and audit do not call their differences drift.
    generated: tuple[str, ...] = ()

    def with_format(self, template_format: str | None) -> GoldenPath:
        """This golden path with versions that hold both formats read as ``template_format``."""
        if template_format == self.template_format:
            return self
        return replace(
            self,
            template_format=template_format,
            versions=tuple(replace(v, template_format=template_format) for v in self.versions),
        )

    def with_renderer(self, renderer: str | None) -> GoldenPath:
        """This golden path with copier-format versions rendered by ``renderer`` (native or
        copier; None: the classifier decides)."""
        if renderer == self.renderer:
            return self
        return replace(
            self,
            renderer=renderer,
            versions=tuple(replace(v, renderer=renderer) for v in self.versions),
        )

    @property
    def latest(self) -> GoldenPathVersion:
        return self.versions[-1]

    def release(self, name: str) -> Version | None:
        """The version order of ``name`` when it is one of this golden path's releases.

        None for anything else, above all an untagged commit of a git template: a commit
        prefix such as ``123456789012`` or ``0123a4567890`` parses as a PEP 440 version, and
        ordering or migrating by it would be wrong.
        """
        normalized = name.removeprefix("v")
        if normalized not in self.version_names:
            return None
        try:
            return Version(normalized)
        except InvalidVersion:
            return None

    @property
    def version_names(self) -> list[str]:
        return [v.version for v in self.versions]

    @property
    def src_path(self) -> str:
        """How answers files name this golden path's source (copier's ``_src_path``)."""
        if self.source is not None:
            return self.source.url
        return f"{self.catalog}:{self.root.parent.name}/{self.name}"

    def version(self, wanted: str | None) -> GoldenPathVersion:
        """The named version (a leading ``v`` is accepted), or the latest.

        A golden path kept in git also takes any tag, branch or commit.
        """
        if wanted is None or wanted == "latest":
            return self.latest
        normalized = wanted[1:] if wanted.startswith("v") else wanted
        for v in self.versions:
            if normalized in (v.version, v.commit) or wanted == v.ref:
                return v
        if self.source is not None:
            commit = self.source.resolve(wanted)
            tagged = next((v for v in self.versions if v.commit == commit), None)
            return tagged or GoldenPathVersion(
                self.name,
                commit[:12],
                None,
                commit,
                None,
                self.source,
                self.trusted,
                self.template_format,
                self.renderer,
            )
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
    trust: bool = False  # --trust: templates used in this run may run hooks
    # `upgrade --template`: where the template a record names lives now (it moved, or the
    # record names a path that is not there)
    relocated: GitTemplate | None = None

    def with_template(
        self, spec: str, checkout: str | None = None
    ) -> tuple[Catalog, str, str | None]:
        """``--template URL[@REF]``: this catalog plus the template's golden path, its name and
        the ref asked for (None: the latest tag)."""
        parsed = parse_spec(spec, checkout)
        gp = self.template(*normalize_url(parsed.url))
        return replace(self, golden_paths={**self.golden_paths, gp.name: gp}), gp.name, parsed.ref

    def relocate(self, spec: str, to: str | None) -> tuple[Catalog, str | None]:
        """``upgrade --template URL[@REF]``: records name the template at URL now; the
        version to upgrade to is ``to``, else REF."""
        parsed = parse_spec(spec)
        return replace(self, relocated=GitTemplate(*normalize_url(parsed.url))), to or parsed.ref

    def with_format(
        self, name: str, template_format: str | None, renderer: str | None = None
    ) -> Catalog:
        """This catalog with golden path ``name`` read as ``template_format`` and, for copier
        templates, rendered by ``renderer`` (``--engine``)."""
        gp = self.get(name).with_format(template_format).with_renderer(renderer)
        return replace(self, golden_paths={**self.golden_paths, name: gp})

    def template(self, url: str, directory: str = "") -> GoldenPath:
        """The golden path of a template kept in git: the catalog's entry for it, if any."""
        wanted = GitTemplate(url, directory)
        for gp in self.golden_paths.values():
            if gp.source == wanted:
                return gp
        return git_golden_path(
            wanted,
            kind="template",
            catalog="template",
            trusted=self.trust or is_trusted(url),
        )

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


def load_catalog(explicit: Sequence[str] = (), *, trust: bool = False) -> Catalog:
    """Discover golden paths in the given catalogs plus the built-in one.

    ``trust`` lets every template used in this run run its hooks (``--trust``).
    """
    return _load(tuple(catalog_locations(explicit)), trust)


@functools.cache
def _load(locations: tuple[str, ...], trust: bool = False) -> Catalog:
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
        trusted = trust or location == BUILTIN or is_trusted(str(source.path))
        golden = list(_discover(source, trusted))
        if location != BUILTIN and not golden:
            raise CatalogError(
                f"catalog {location!r} holds no golden paths",
                hint="a catalog has templates/<name>/golden-path.yml and version folders;"
                " see docs/reference/catalog.md",
            )
        for gp in golden:
            found.setdefault(gp.name, gp)  # earlier catalogs shadow later ones
    return Catalog(tuple(sources), found, trust)


def _discover(source: CatalogSource, trusted: bool) -> Iterable[GoldenPath]:
    for folder, kind in KINDS.items():
        base = source.path / folder
        if not base.is_dir():
            continue
        for child in sorted(base.iterdir()):
            if (child / METADATA_FILE).is_file():
                yield _load_golden_path(child, kind, source.location, trusted)


def _load_golden_path(root: Path, kind: str, catalog: str, trusted: bool) -> GoldenPath:
    meta_path = root / METADATA_FILE
    try:
        meta = load_yaml(read_config_text(meta_path), str(meta_path)) or {}
    except yaml.YAMLError as exc:
        raise CatalogError(f"{meta_path} is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise CatalogError(f"{meta_path} must be a mapping")
    name = str(meta.get("name", root.name))
    if name != root.name:
        raise CatalogError(f"{meta_path}: name {name!r} must match its folder {root.name!r}")
    target = str(meta.get("target", "new-repo"))
    if target not in TARGETS:
        raise CatalogError(f"{meta_path}: target must be one of {', '.join(TARGETS)}")
    if meta.get("source"):
        template = _source(root, str(meta["source"]), str(meta.get("directory") or ""))
        return git_golden_path(
            template,
            kind=kind,
            catalog=catalog,
            trusted=trusted or is_trusted(template.url),
            meta=meta,
            root=root,
            target=target,
        )
    versions = []
    for child in root.iterdir():
        if not child.is_dir() or engine_of(child) is None:
            continue
        try:
            parsed = Version(child.name)
        except InvalidVersion:
            raise CatalogError(
                f"{child}: version folders must be named X.Y.Z", hint="rename it, for example 1.0.0"
            ) from None
        versions.append((parsed, GoldenPathVersion(name, child.name, child, trusted=trusted)))
    if not versions:
        raise CatalogError(
            f"golden path {name!r} at {root} has no versions",
            hint="add a folder like 1.0.0/ with copier.yml or cookiecutter.json,"
            " or name a git repository with `source:`",
        )
    versions.sort(key=lambda item: item[0])
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
        trusted=trusted,
        generated=_generated(meta, meta_path),
    )


def _generated(meta: Mapping[str, Any], where: Path | str) -> tuple[str, ...]:
    """``generated_per_repo:`` of golden-path.yml: a list of gitignore-style patterns."""
    entries = meta.get("generated_per_repo") or []
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise CatalogError(
            f"{where}: generated_per_repo must be a list of paths or patterns",
            hint='for example: generated_per_repo: [".envs/**", "config/settings/local.py"]',
        )
    return tuple(entries)


def _source(root: Path, source: str, directory: str) -> GitTemplate:
    """``source:`` of golden-path.yml: a git URL, or a path relative to the golden path."""
    remote = re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", source) or "@" in source.partition("/")[0]
    local = not remote  # a URL, scp-like git@host:path, gh:org/repo; else a relative path
    url, inner = normalize_url(str(root / source) if local else source)
    return GitTemplate(url, "/".join(p for p in (inner, directory.strip("/")) if p))


def git_golden_path(
    template: GitTemplate,
    *,
    kind: str,
    catalog: str,
    trusted: bool,
    meta: Mapping[str, Any] | None = None,
    root: Path | None = None,
    target: str = "new-repo",
) -> GoldenPath:
    """A golden path whose versions are the tags of a git repository (else its HEAD)."""
    meta = meta or {}
    name = str(meta.get("name") or (root.name if root else template.name))
    versions: dict[str, GoldenPathVersion] = {}
    for parsed, tag, commit in template.tags():
        versions.setdefault(
            str(parsed), GoldenPathVersion(name, str(parsed), None, commit, tag, template, trusted)
        )
    if not versions:
        head = template.head()
        versions[head] = GoldenPathVersion(name, head[:12], None, head, None, template, trusted)
    return GoldenPath(
        name=name,
        kind=kind,
        title=str(meta.get("title", name)),
        description=str(meta.get("description", f"template {template.url}")),
        owner=str(meta.get("owner", "")),
        tags=tuple(str(t) for t in meta.get("tags", []) or []),
        root=root or Path(template.url),
        catalog=catalog,
        versions=tuple(versions.values()),
        target=target,
        source=template,
        trusted=trusted,
        generated=_generated(meta, root / METADATA_FILE if root else template.url),
    )
