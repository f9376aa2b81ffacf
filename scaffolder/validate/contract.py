"""The platform contract: does a cluster baseline provide what a service repo needs?

``scaffolder validate SERVICE --platform BASELINE`` builds both repos (every kustomize
overlay of the service, every manifest of the baseline) and runs the rules of
:mod:`scaffolder.validate.contract_rules` for each of the service's environments. What a
repo needs or provides beyond its objects comes from its golden-path version's computed
``contract`` value (``<version>/contract.yml``): ``provides`` of a baseline (API kinds its
releases install, metrics APIs, canary plugins, where traffic comes from), ``needs`` of a
service (which traffic it admits, how many pods share a time-sliced GPU). Everything else
is read from the objects themselves, so the check is data, not special cases
(docs/guides/platform-contract.md).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scaffolder import yamlio
from scaffolder.errors import ScaffolderError
from scaffolder.project import NOT_CONTENT
from scaffolder.validate import kustomize, rules
from scaffolder.validate.findings import Finding, Report

NOT_OBJECTS = ("kustomize.config.k8s.io/", "backstage.io/", "config.kubernetes.io/")
NO_ENV = "all"


@dataclass(frozen=True)
class Obj(rules.Obj):
    """A Kubernetes object of one side, with the file it is written in."""

    @property
    def api_version(self) -> str:
        return str(self.doc.get("apiVersion", ""))

    @property
    def group(self) -> str:
        return self.api_version.split("/")[0] if "/" in self.api_version else ""

    @property
    def namespace(self) -> str | None:
        ns = self.meta.get("namespace")
        return str(ns) if ns else None

    @property
    def labels(self) -> Mapping[str, str]:
        labels = self.meta.get("labels")
        return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}

    def where(self) -> str:
        return f"{self.file}: {self.label}"


@dataclass
class Side:
    """One repo: its objects (per environment for a service) and its contract data."""

    root: Path
    objects: dict[str, list[Obj]] = field(default_factory=dict)  # environment -> objects
    contract: Mapping[str, Any] = field(default_factory=dict)  # needs / provides
    golden_path: str | None = None
    version: str | None = None
    problems: list[str] = field(default_factory=list)  # builds that failed
    environments: set[str] = field(default_factory=set)  # a baseline's clusters/<env>/
    kubernetes: str | None = None  # the Kubernetes version its golden path pins

    def all_objects(self) -> list[Obj]:
        seen: dict[tuple[str, str, str | None, str], Obj] = {}
        for objs in self.objects.values():
            for o in objs:
                seen.setdefault((o.kind, o.name, o.namespace, o.file), o)
        return list(seen.values())


@dataclass(frozen=True)
class Pair:
    """What a rule sees: one environment of the service against the platform."""

    env: str
    service: list[Obj]
    platform: list[Obj]
    needs: Mapping[str, Any]
    provides: Mapping[str, Any]

    def of_kind(self, *kinds: str, platform: bool = False) -> list[Obj]:
        return [o for o in (self.platform if platform else self.service) if o.kind in kinds]

    def namespaces(self) -> dict[str, Obj]:
        return {o.name: o for o in self.of_kind("Namespace", platform=True)}

    def namespace_labels(self, name: str) -> dict[str, str]:
        """Labels of a namespace on the cluster (with the automatic metadata.name label)."""
        ns = self.namespaces().get(name)
        labels = dict(ns.labels) if ns else {}
        labels["kubernetes.io/metadata.name"] = name
        return labels


def check_platform(
    service_root: Path, platform_root: Path, *, catalogs: tuple[str, ...] = ()
) -> Report:
    """Prove that the baseline at ``platform_root`` provides what ``service_root`` needs.

    Library entry point of ``validate --platform``; every unmet dependency is an error
    :class:`Finding` with the service's file and object and, in ``peer``, the platform's.
    """
    service = load_side(service_root, catalogs, per_environment=True)
    platform = load_platform(platform_root.resolve(), catalogs)
    report = Report(root=str(service_root), kubernetes_version="-")
    for problem in service.problems + platform.problems:
        report.add(Finding("contract", ".", problem))
    for finding in check_sides(service, platform):
        report.add(finding)
    report.count("contract-environments", len(service.objects))
    return report


def check_sides(service: Side, platform: Side) -> Iterator[Finding]:
    """Run every contract rule over each environment of ``service`` against ``platform``."""
    from scaffolder.validate import (
        contract_cost,  # noqa: F401  (registers its rule)
        contract_gpu_pools,  # noqa: F401  (registers its rule)
        contract_workloads,  # noqa: F401  (registers its rules)
    )
    from scaffolder.validate.contract_rules import RULES

    needs = service.contract.get("needs") or {}
    provides = platform.contract.get("provides") or {}
    if _minor(service.kubernetes) > _minor(platform.kubernetes) > (0, 0):
        yield Finding(
            "contract/kubernetes-version",
            ".copier-answers.yml",
            f"written for Kubernetes {service.kubernetes}, but the clusters run"
            f" {platform.kubernetes}: APIs or fields it uses may not be served there",
            f"{service.golden_path} {service.version}",
            "pins.kubernetes",
            peer=f".copier-answers.yml: kubernetes_version (pins.kubernetes {platform.kubernetes})",
        )
    platform_objects = platform.all_objects()
    clusters = platform.environments
    for env, objects in sorted(service.objects.items()):
        if clusters and env != NO_ENV and env not in clusters:
            yield Finding(
                "contract/environment",
                f"deploy/overlays/{env}/kustomization.yaml",
                f"environment {env!r} has no cluster in the platform"
                f" (it has {', '.join(sorted(clusters))})",
                peer="clusters/",
            )
            continue
        pair = Pair(env, objects, platform_objects, needs, provides)
        for rule_id, rule in RULES.items():
            for finding in rule(pair):
                yield Finding(
                    f"contract/{rule_id}",
                    finding.file,
                    finding.message,
                    f"{finding.object} ({env})" if finding.object else f"({env})",
                    finding.field,
                    finding.severity,
                    finding.peer,
                )


def load_side(root: Path, catalogs: tuple[str, ...], *, per_environment: bool) -> Side:
    """Build a repo's objects and read its golden path's ``contract`` value."""
    side = Side(root)
    _read_contract(side, catalogs)
    side.objects, side.problems = build_objects(root, per_environment=per_environment)
    if not per_environment and (root / "clusters").is_dir():
        # A baseline: each clusters/<env>/ is one cluster, and all get the same platform
        # and tenants (only Helm values differ per environment).
        side.environments = {d.name for d in (root / "clusters").iterdir() if d.is_dir()}
    return side


def build_objects(
    root: Path, *, per_environment: bool = True
) -> tuple[dict[str, list[Obj]], list[str]]:
    """Every object the repo at ``root`` applies: each leaf kustomize overlay built (keyed by
    its environment, ``deploy/overlays/<env>``), plain manifests under :data:`NO_ENV`; and the
    builds that failed. Objects name the file that writes them, not the overlay."""
    objects: dict[str, list[Obj]] = {}
    problems: list[str] = []
    documents = _documents(root)
    index = _source_index(documents)
    kdirs = kustomize.kustomization_dirs(root, list(documents))
    loaded = {k: _first(documents.get(_kfile(k, documents))) for k in kdirs}
    for kdir in kustomize.leaf_kustomizations(root, kdirs, loaded):
        built, error = kustomize.build(root, kdir)
        if error:
            problems.append(f"{kdir.as_posix()}: kubectl kustomize failed: {error}")
            continue
        env = _environment(kdir) if per_environment else NO_ENV
        fallback = f"{kdir.as_posix()}/kustomization.yaml"
        objects.setdefault(env, []).extend(
            Obj(index.get(_key(d), fallback), d) for d in built if _is_object(d)
        )
    built_dirs = {root / k for k in kdirs}
    for rel, docs in documents.items():
        if rel.name in kustomize.KUSTOMIZATION_NAMES or _under(root / rel, built_dirs):
            continue
        plain = [Obj(rel.as_posix(), d) for d in docs if _is_object(d)]
        if plain:
            objects.setdefault(NO_ENV, []).extend(plain)
    return objects, problems


def load_platform(root: Path, catalogs: tuple[str, ...] = ()) -> Side:
    """:func:`load_side` for a baseline, cached: a fleet checks many services against it,
    and ``validate --platform`` reads it for the contract and for admission. The cache is
    keyed by the files' sizes and times too, so an edited baseline is built again."""
    return _load_platform(root, catalogs, _fingerprint(root))


@functools.lru_cache(maxsize=16)
def _load_platform(root: Path, catalogs: tuple[str, ...], _state: int) -> Side:
    return load_side(root, catalogs, per_environment=False)


def _fingerprint(root: Path) -> int:
    state = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in NOT_CONTENT and not d.startswith("."))
        for name in sorted(filenames):
            stat = (Path(dirpath) / name).stat()
            state.append((dirpath, name, stat.st_size, stat.st_mtime_ns))
    return hash(tuple(state))


def _read_contract(side: Side, catalogs: tuple[str, ...]) -> None:
    from scaffolder.project import ANSWERS_FILE, read_record
    from scaffolder.validate.pins import computed_value

    if not (side.root / ANSWERS_FILE).is_file():
        return
    try:
        record = read_record(side.root)
        side.golden_path, side.version = record.golden_path, record.version
        value = computed_value(
            record.golden_path, record.version, record.answers, "contract", catalogs
        )
    except ScaffolderError as exc:
        side.problems.append(f"cannot read the golden path's contract: {exc}")
        return
    if isinstance(value, dict):
        side.contract = value
    pins = computed_value(record.golden_path, record.version, record.answers, "pins", catalogs)
    if isinstance(pins, dict) and pins.get("kubernetes"):
        side.kubernetes = str(pins["kubernetes"])


def _minor(version: str | None) -> tuple[int, int]:
    """(major, minor) of a Kubernetes version like 1.35.0; (0, 0) when unknown."""
    parts = (version or "").lstrip("v").split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return 0, 0


def _documents(root: Path) -> dict[Path, list[Any]]:
    out: dict[Path, list[Any]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in NOT_CONTENT and not d.startswith("."))
        for name in sorted(filenames):
            if not name.endswith((".yaml", ".yml")):
                continue
            path = Path(dirpath) / name
            try:
                docs = list(yamlio.load_all(path.read_text(encoding="utf-8")))
            except (yaml.YAMLError, UnicodeDecodeError):
                continue  # validate's own checks report files that do not parse
            out[path.relative_to(root)] = [d for d in docs if d is not None]
    return out


def _is_object(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and "kind" in doc
        and "apiVersion" in doc
        and not str(doc["apiVersion"]).startswith(NOT_OBJECTS)
    )


def _key(doc: Mapping[str, Any]) -> tuple[str, str]:
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    return str(doc.get("kind")), str((meta or {}).get("name"))


def _source_index(documents: Mapping[Path, list[Any]]) -> dict[tuple[str, str], str]:
    """(kind, name) -> the file that writes it, to name sources instead of overlays."""
    index: dict[tuple[str, str], str] = {}
    for rel, docs in documents.items():
        for doc in docs:
            if _is_object(doc):
                index.setdefault(_key(doc), rel.as_posix())
    return index


def _kfile(kdir: Path, documents: Mapping[Path, Any]) -> Path:
    return next(
        (kdir / n for n in kustomize.KUSTOMIZATION_NAMES if kdir / n in documents),
        kdir / "kustomization.yaml",
    )


def _first(docs: list[Any] | None) -> Any:
    return docs[0] if docs else None


def _environment(kdir: Path) -> str:
    return kdir.name if kdir.parent.name == "overlays" else (kdir.as_posix() or NO_ENV)


def _under(path: Path, dirs: set[Path]) -> bool:
    return any(d == path.parent or d in path.parents for d in dirs)
