"""Custom resources validated against the schemas of pinned CRD versions.

CRDs are read from a directory of ``<project>-<version>/`` folders (``--crd-dir`` or
``SCAFFOLDER_CRD_DIR``; ``scaffolder crds fetch`` downloads them). A golden path pins which
project versions apply; without pins every folder is used. Validation is strict: an object
schema with ``properties`` rejects fields it does not list unless it says
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

ENV_VAR = "SCAFFOLDER_CRD_DIR"


@dataclass(frozen=True)
class CrdVersion:
    name: str
    served: bool
    schema: Mapping[str, Any] | None


@dataclass
class Crd:
    group: str
    kind: str
    project: str  # the folder it came from, e.g. kueue-v0.19.2
    versions: dict[str, CrdVersion] = field(default_factory=dict)

    def served(self) -> list[str]:
        return [v.name for v in self.versions.values() if v.served]


@dataclass
class CrdIndex:
    """CRDs by (group, kind), from the folders that apply."""

    crds: dict[tuple[str, str], Crd] = field(default_factory=dict)
    folders: list[str] = field(default_factory=list)
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


def load_index(crd_dir: Path | None, pins: Mapping[str, str] | None = None) -> CrdIndex:
    """Index the CRDs in ``crd_dir``; with ``pins`` ({project: version}) only those folders."""
    if crd_dir is None or not crd_dir.is_dir():
        return CrdIndex()
    wanted = {f"{p}-{v}" for p, v in (pins or {}).items()}
    folders = sorted(d for d in crd_dir.iterdir() if d.is_dir())
    if pins:
        folders = [d for d in folders if d.name in wanted]
    return _load(tuple(folders))


@functools.cache
def _load(folders: tuple[Path, ...]) -> CrdIndex:
    index = CrdIndex(folders=[f.name for f in folders])
    for folder in folders:
        for path in sorted(folder.rglob("*.y*ml")):
            for doc in _documents(path):
                if doc.get("kind") != "CustomResourceDefinition":
                    continue
                spec = doc.get("spec") or {}
                crd = Crd(
                    spec.get("group", ""), (spec.get("names") or {}).get("kind", ""), folder.name
                )
                for v in spec.get("versions") or []:
                    schema = (v.get("schema") or {}).get("openAPIV3Schema")
                    crd.versions[v["name"]] = CrdVersion(v["name"], bool(v.get("served")), schema)
                index.crds[(crd.group, crd.kind)] = crd
    return index


def _documents(path: Path) -> Iterable[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for doc in yaml.safe_load_all(handle):
            if isinstance(doc, dict):
                yield doc


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
