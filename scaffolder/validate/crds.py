"""Custom resources validated against the schemas of pinned CRD versions.

CRDs come in folders named ``<project>-<version>``, looked up in this order: ``--crd-dir``,
``$SCAFFOLDER_CRD_DIR``, the user cache (where ``scaffolder crds fetch`` writes by default) and
the bundle built into the package (:mod:`scaffolder.validate.crd_bundle`), so validation works
offline for everything the built-in golden paths pin. A golden path pins which folders apply;
each comes from the first source that holds it. Without pins every folder is used. Validation
is strict: an object schema with ``properties`` rejects fields it does not list unless it says
``x-kubernetes-preserve-unknown-fields``. An API version the CRD no longer serves is reported,
and so is a custom resource whose CRD is not available.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from jsonschema.exceptions import ValidationError

from scaffolder import yamlio

ENV_VAR = "SCAFFOLDER_CRD_DIR"
USER_CACHE = "user cache"
BUILT_IN = "built-in"


@dataclass(frozen=True)
class CrdVersion:
    name: str
    served: bool
    schema: Mapping[str, Any] | None  # the raw openAPIV3Schema (served versions only)


@dataclass
class Crd:
    group: str
    kind: str
    project: str  # the folder it came from, e.g. kueue-v0.19.2
    versions: dict[str, CrdVersion] = field(default_factory=dict)

    def served(self) -> list[str]:
        return [v.name for v in self.versions.values() if v.served]


@dataclass(frozen=True)
class CrdSource:
    """A place CRD folders are looked up: a folder of ``<project>-<version>/`` folders of
    YAML, or the built-in bundle (``path`` None)."""

    label: str  # --crd-dir, $SCAFFOLDER_CRD_DIR, user cache, built-in
    path: Path | None = None

    def describe(self) -> str:
        if self.path is None:
            return "the built-in bundle"
        return f"{'the ' if self.label == USER_CACHE else ''}{self.label} {self.path}"

    def folders(self) -> set[str]:
        if self.path is None:
            from scaffolder.validate.crd_bundle import bundled_folders

            return set(bundled_folders())
        if not self.path.is_dir():
            return set()
        return {d.name for d in self.path.iterdir() if d.is_dir()}

    def location(self, folder: str) -> str:
        if self.path is None:
            from scaffolder.validate.crd_bundle import BUNDLE_DIR, bundled_folders

            return str(BUNDLE_DIR / bundled_folders()[folder].data)
        return str(self.path / folder)


@dataclass
class CrdIndex:
    """CRDs by (group, kind), from the folders that apply."""

    crds: dict[tuple[str, str], Crd] = field(default_factory=dict)
    folders: list[str] = field(default_factory=list)
    sources: dict[str, CrdSource] = field(default_factory=dict)  # folder -> where it came from
    missing: list[str] = field(default_factory=list)  # pinned folders no source holds
    searched: list[CrdSource] = field(default_factory=list)
    _validators: dict[tuple[str, str, str], jsonschema.Draft7Validator] = field(
        default_factory=dict, repr=False
    )

    def lookup(self, api_version: str, kind: str) -> Crd | None:
        group = api_version.split("/", maxsplit=1)[0] if "/" in api_version else ""
        return self.crds.get((group, kind))

    def groups(self) -> set[str]:
        return {g for g, _ in self.crds}


def crd_dir_from_env() -> Path | None:
    value = os.environ.get(ENV_VAR)
    return Path(value) if value else None


def user_cache_dir() -> Path:
    """Where ``scaffolder crds fetch`` writes without ``--crd-dir`` (XDG cache)."""
    from scaffolder.paths import cache_dir

    return cache_dir() / "crds"


def crd_sources(crd_dir: Path | None = None) -> list[CrdSource]:
    """Where CRD folders are looked up, first first."""
    sources = [CrdSource("--crd-dir", crd_dir)] if crd_dir is not None else []
    env = crd_dir_from_env()
    if env is not None:
        sources.append(CrdSource(f"${ENV_VAR}", env))
    return [*sources, CrdSource(USER_CACHE, user_cache_dir()), CrdSource(BUILT_IN)]


def locate(
    wanted: Iterable[str] | None, sources: Iterable[CrdSource]
) -> tuple[dict[str, CrdSource], list[str]]:
    """Which source each wanted folder (``<project>-<version>``; every folder when None) comes
    from, first source first, and the wanted folders no source holds."""
    listing = [(source, source.folders()) for source in sources]
    if wanted is None:
        wanted = set().union(*(names for _, names in listing))
    found: dict[str, CrdSource] = {}
    missing = []
    for name in sorted(set(wanted)):
        source = next((s for s, names in listing if name in names), None)
        if source is None:
            missing.append(name)
        else:
            found[name] = source
    return found, missing


def load_index(crd_dir: Path | None = None, pins: Mapping[str, str] | None = None) -> CrdIndex:
    """Index the CRDs of ``pins`` ({project: version}; every folder without pins), each
    folder from the first source that holds it (see :func:`crd_sources`)."""
    sources = crd_sources(crd_dir)
    wanted = [f"{project}-{version}" for project, version in pins.items()] if pins else None
    found, missing = locate(wanted, sources)
    return _load(tuple(found.items()), tuple(missing), tuple(sources))


def load_crd_schema(
    group: str,
    version: str,
    kind: str,
    pins: Mapping[str, str] | None = None,
    crd_dir: Path | None = None,
) -> Mapping[str, Any] | None:
    """The raw ``openAPIV3Schema`` (with ``x-kubernetes-validations``) of a served CRD
    version, or None when no available CRD defines it."""
    crd = load_index(crd_dir, pins).crds.get((group, kind))
    found = crd.versions.get(version) if crd else None
    return found.schema if found and found.served else None


@functools.cache
def _load(
    found: tuple[tuple[str, CrdSource], ...],
    missing: tuple[str, ...],
    searched: tuple[CrdSource, ...],
) -> CrdIndex:
    index = CrdIndex(
        folders=[name for name, _ in found],
        sources=dict(found),
        missing=list(missing),
        searched=list(searched),
    )
    # Folders in name order; a later one defining the same kind wins.
    for name, source in found:
        for record in folder_records(source, name):
            crd = Crd(record["group"], record["kind"], name)
            for v in record["versions"]:
                crd.versions[v["name"]] = CrdVersion(v["name"], v["served"], v.get("schema"))
            index.crds[(crd.group, crd.kind)] = crd
    return index


@functools.cache
def folder_records(source: CrdSource, folder: str) -> tuple[dict[str, Any], ...]:
    """The compact records (:func:`compact_crd`) of one folder of a source."""
    if source.path is None:
        from scaffolder.validate.crd_bundle import load_bundled

        return tuple(load_bundled(folder))
    root = source.path / folder
    return tuple(
        compact_crd(doc, path.relative_to(root).as_posix())
        for path in sorted(root.rglob("*.y*ml"))
        for doc in crd_documents(path)
    )


class _CrdLoader(yamlio.SafeLoader):  # type: ignore[misc,valid-type]
    """Safe YAML that reads a bare ``=`` as the string it is to Kubernetes.

    YAML 1.1 gives a plain ``=`` the ``value`` type, which PyYAML cannot construct; upstream
    CRDs write it unquoted in enums (prometheus-operator's AlertmanagerConfig ``matchType``).
    """


def _plain_scalar(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_CrdLoader.add_constructor("tag:yaml.org,2002:value", _plain_scalar)


def crd_documents(path: Path) -> Iterator[dict[str, Any]]:
    """The CustomResourceDefinition documents of a YAML file."""
    with path.open(encoding="utf-8") as handle:
        for doc in yaml.load_all(handle, Loader=_CrdLoader):
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                yield doc


def compact_crd(doc: Mapping[str, Any], source: str) -> dict[str, Any]:
    """What validation needs of a CRD: names, scope, version names and served flags, and the
    whole ``openAPIV3Schema`` of served versions."""
    spec = doc.get("spec") or {}
    versions = []
    for v in spec.get("versions") or []:
        entry: dict[str, Any] = {"name": str(v["name"]), "served": bool(v.get("served"))}
        schema = (v.get("schema") or {}).get("openAPIV3Schema")
        if entry["served"] and schema is not None:
            entry["schema"] = schema
        versions.append(entry)
    return {
        "name": str((doc.get("metadata") or {}).get("name", "")),
        "group": str(spec.get("group", "")),
        "kind": str((spec.get("names") or {}).get("kind", "")),
        "scope": str(spec.get("scope", "")),
        "source": source,
        "versions": versions,
    }


def strict_root(schema: Mapping[str, Any]) -> Any:
    """:func:`strict` for a whole object, except ``metadata``: the API server checks that as
    ObjectMeta (labels, annotations...) whatever the CRD's schema says about it."""
    out = strict(schema)
    props = out.get("properties") if isinstance(out, dict) else None
    if isinstance(props, dict) and isinstance(props.get("metadata"), dict):
        props["metadata"] = {
            k: v for k, v in props["metadata"].items() if k != "additionalProperties"
        }
    return out


def strict(schema: Any) -> Any:
    """OpenAPI v3 (structural) schema -> JSON Schema that rejects unknown fields."""
    if isinstance(schema, list):
        return [strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: strict(v) for k, v in schema.items()}
    if out.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def errors(index: CrdIndex, crd: Crd, obj: dict[str, Any]) -> Iterator[ValidationError]:
    """Schema violations of ``obj`` against its CRD's version (served is checked by callers)."""
    version = str(obj.get("apiVersion", "")).split("/")[-1]
    key = (crd.group, crd.kind, version)
    validator = index._validators.get(key)
    if validator is None:
        schema = crd.versions[version].schema or {}
        validator = index._validators[key] = jsonschema.Draft7Validator(strict_root(schema))
    yield from validator.iter_errors(obj)
