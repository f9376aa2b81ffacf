"""Runs every validate check over one repo and collects a :class:`Report`."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scaffolder.project import NOT_CONTENT
from scaffolder.validate import (
    builtin,
    catalog_info,
    crd_cel,
    crds,
    gatekeeper,
    kube_schemas,
    kustomize,
    workflows,
)
from scaffolder.validate.findings import Finding, Report
from scaffolder.validate.pins import repo_pins
from scaffolder.validate.rules import Obj

# apiVersion groups that are not Kubernetes objects applied to a cluster.
NOT_KUBERNETES = (
    "backstage.io/",
    "scaffolder.backstage.io/",
    "kustomize.config.k8s.io/",
    "config.kubernetes.io/",
)


@dataclass(frozen=True)
class ValidateOptions:
    kubernetes_version: str | None = None
    crd_dir: Path | None = None
    catalogs: tuple[str, ...] = ()
    platform: Path | None = None  # a cluster-baseline repo whose admission policies apply
    since: str | None = None  # a git ref: report immutable-field changes from it


@dataclass
class _Repo:
    root: Path
    yaml_files: list[Path] = field(default_factory=list)  # relative
    documents: dict[Path, list[Any]] = field(default_factory=dict)
    objects: list[Obj] = field(default_factory=list)  # every Kubernetes object, as applied


class _Loader(yaml.SafeLoader):
    """Safe YAML with YAML 1.2 booleans that tolerates application tags.

    YAML 1.1 reads a workflow's ``on:`` key as ``True``; GitHub, kubectl and check-jsonschema
    read it as the string "on". Tags such as mkdocs' ``!!python/name`` load as plain values.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _any_tag(loader: _Loader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _any_tag)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _any_tag)


def validate_repo(root: Path, options: ValidateOptions | None = None) -> Report:
    """Validate every file of the repo at ``root``."""
    options = options or ValidateOptions()
    pins = repo_pins(root, options.catalogs)
    version = options.kubernetes_version or pins.kubernetes
    default_used = version is None
    if version is None:
        version = kube_schemas.supported_versions()[-1]
    report = Report(root=str(root), kubernetes_version=version)
    if default_used:
        report.add(
            Finding(
                "kubernetes-version",
                ".",
                f"no pinned Kubernetes version found; "
                f"validated against {version} (pass --kubernetes-version)",
                severity="warning",
            )
        )
    for note in pins.notes:
        report.add(Finding("pins", ".", note, severity="warning"))
    index = crds.load_index(options.crd_dir, pins.crds)
    _check_crd_pins(report, root, index)
    repo = _scan(root)
    _check_yaml(report, repo)
    # Constraints of the repo's own ConstraintTemplates validate offline (gatekeeper.py).
    templates = [d for docs in repo.documents.values() for d in docs if gatekeeper.is_template(d)]
    index = gatekeeper.with_constraint_templates(index, templates)
    built_dirs = _check_kustomize(report, repo, version, index)
    _check_plain_manifests(report, repo, built_dirs, version, index)
    _check_workflows(report, repo)
    _check_catalog_info(report, repo)
    from scaffolder.validate.rules import run_rules

    run_rules(report, repo.root, repo.documents)
    if options.platform is not None:
        _check_platform_admission(report, options.platform, repo.objects, options.catalogs)
    if options.since is not None:
        _check_since(report, root, options.since)
    return report


def _check_since(report: Report, root: Path, ref: str) -> None:
    """Objects at git ``ref`` against the working tree: the updates the API server refuses."""
    from scaffolder.validate.updates import since

    comparison = since(root, ref)
    report.count("immutable-since")
    for problem in comparison.before_problems:  # the working tree's own are reported above
        report.add(
            Finding(
                "immutable",
                ".",
                f"at {ref}: {problem}; its objects were not compared",
                severity="warning",
            )
        )
    for finding in comparison.findings:
        report.add(finding)


def _check_platform_admission(
    report: Report, platform: Path, objects: list[Obj], catalogs: tuple[str, ...]
) -> None:
    """The platform repo's ValidatingAdmissionPolicies (with bindings and params) against
    this repo's objects, as the cluster's admission would see them.

    The platform's objects are the ones the contract check builds
    (:func:`scaffolder.validate.contract.load_platform`, cached): the repo is built once for
    both checks, and a policy counts when the baseline applies it, as on the cluster.
    """
    from scaffolder.validate.admission import check_admission
    from scaffolder.validate.contract import load_platform

    side = load_platform(platform.resolve(), catalogs)
    docs = [o.doc for o in side.all_objects()]
    report.count(
        "admission-policies", sum(d.get("kind") == "ValidatingAdmissionPolicy" for d in docs)
    )
    for finding in check_admission(docs, objects):
        report.add(finding)


def _check_crd_pins(report: Report, root: Path, index: crds.CrdIndex) -> None:
    if index.missing:
        looked = ", ".join(source.describe() for source in index.searched)
        report.add(
            Finding(
                "crds",
                ".",
                f"pinned CRDs not available: {', '.join(index.missing)} (looked in {looked});"
                f" download them with `scaffolder crds fetch --repo {shlex.quote(str(root))}`",
            )
        )


def _scan(root: Path) -> _Repo:
    repo = _Repo(root)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in NOT_CONTENT and (not d.startswith(".") or d == ".github")
        )
        for name in sorted(filenames):
            if name.endswith((".yaml", ".yml")) or name == "Kustomization":
                repo.yaml_files.append((Path(dirpath) / name).relative_to(root))
    return repo


def _check_yaml(report: Report, repo: _Repo) -> None:
    for rel in repo.yaml_files:
        report.count("yaml")
        try:
            text = (repo.root / rel).read_text(encoding="utf-8")
            repo.documents[rel] = [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f"line {mark.line + 1}: " if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc)
            report.add(Finding("yaml", rel.as_posix(), f"{line}does not parse: {problem}"))
        except UnicodeDecodeError:
            report.add(Finding("yaml", rel.as_posix(), "is not UTF-8 text"))


def _check_kustomize(report: Report, repo: _Repo, version: str, index: crds.CrdIndex) -> set[Path]:
    kdirs = kustomize.kustomization_dirs(repo.root, repo.yaml_files)
    loaded = {}
    for kdir in kdirs:
        kfile = next(
            f
            for f in repo.yaml_files
            if f.parent == kdir and f.name in kustomize.KUSTOMIZATION_NAMES
        )
        docs = repo.documents.get(kfile) or [None]
        loaded[kdir] = docs[0]
    for kdir in kustomize.leaf_kustomizations(repo.root, kdirs, loaded):
        report.count("kustomize")
        objects, error = kustomize.build(repo.root, kdir)
        label = kdir.as_posix() or "."
        if error:
            report.add(
                Finding(
                    "kustomize", f"{label}/kustomization.yaml", f"kubectl kustomize failed: {error}"
                )
            )
            continue
        for obj in objects:
            repo.objects.append(Obj(f"{label}/kustomization.yaml", obj))
            _check_object(
                report, obj, f"{label}/kustomization.yaml", f" (built from {label})", version, index
            )
    return set(kdirs)


def _check_plain_manifests(
    report: Report, repo: _Repo, built_dirs: set[Path], version: str, index: crds.CrdIndex
) -> None:
    for rel, docs in repo.documents.items():
        if rel.name in kustomize.KUSTOMIZATION_NAMES or _under(rel, built_dirs):
            continue
        for doc in docs:
            if isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc:
                if str(doc["apiVersion"]).startswith(NOT_KUBERNETES):
                    continue
                repo.objects.append(Obj(rel.as_posix(), doc))
                _check_object(report, doc, rel.as_posix(), "", version, index)


def _under(rel: Path, dirs: Iterable[Path]) -> bool:
    return any(d == Path() or d in rel.parents for d in dirs)


def _object_name(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return f"{obj.get('kind')}/{(meta or {}).get('name', '?')}"


def _check_object(
    report: Report, obj: dict[str, Any], file: str, where: str, version: str, index: crds.CrdIndex
) -> None:
    report.count("objects")
    name = _object_name(obj) + where
    try:
        errors = list(kube_schemas.errors(obj, version))
    except kube_schemas.UnsupportedVersion:
        report.add(
            Finding(
                "kubernetes",
                file,
                f"no schemas for Kubernetes {version}; supported:"
                f" {', '.join(kube_schemas.supported_versions())}",
                name,
            )
        )
        return
    except kube_schemas.UnknownKind:
        _check_custom_resource(report, obj, file, name, index)
        return
    for error in errors:
        path, message = kube_schemas.describe(error)
        report.add(Finding("kubernetes", file, message, name, path))
    if not errors:  # the Go validation assumes a value of the schema's shape
        _check_builtin(report, obj, file, name, version, built_in=True)


def _check_builtin(
    report: Report, obj: dict[str, Any], file: str, name: str, version: str, built_in: bool
) -> None:
    report.count("builtin")
    for path, message in builtin.problems(obj, version, built_in):
        report.add(Finding("builtin", file, message, name, path))


def _check_custom_resource(
    report: Report, obj: dict[str, Any], file: str, name: str, index: crds.CrdIndex
) -> None:
    api_version, kind = str(obj.get("apiVersion")), str(obj.get("kind"))
    crd = index.lookup(api_version, kind)
    if crd is None:
        report.add(
            Finding(
                "crds",
                file,
                f"no schema available for {api_version} {kind}: not a built-in "
                f"Kubernetes kind and no pinned CRD defines it (CRD folders: "
                f"{', '.join(index.folders) or 'none'})",
                name,
                "apiVersion",
            )
        )
        return
    served = crd.served()
    version = api_version.rsplit("/", maxsplit=1)[-1]
    if version not in served:
        state = "is no longer served" if version in crd.versions else "does not exist"
        report.add(
            Finding(
                "crds",
                file,
                f"{api_version} {state} for {kind} in {crd.project};"
                f" use {', '.join(crd.group + '/' + v for v in served)}",
                name,
                "apiVersion",
            )
        )
        return
    report.count("custom-resources")
    schema_errors = list(crds.errors(index, crd, obj))
    for error in schema_errors:
        path, message = kube_schemas.describe(error)
        report.add(Finding("crds", file, f"{message} (schema of {crd.project})", name, path))
    schema = crd.versions[version].schema
    if not schema_errors:
        _check_builtin(report, obj, file, name, "", built_in=False)
    if schema and not schema_errors:  # rules assume a value of the schema's shape
        for v in crd_cel.violations(schema, obj):
            severity = "warning" if v.unsupported else "error"
            message = f"{v.message} (CEL rule of {crd.project})"
            report.add(Finding("cel", file, message, name, v.path, severity))


def _check_workflows(report: Report, repo: _Repo) -> None:
    for rel, docs in repo.documents.items():
        if rel.parts[:2] != (".github", "workflows"):
            continue
        report.count("workflows")
        for doc in docs:
            for error in workflows.workflow_errors(doc):
                path = ".".join(str(p) for p in error.absolute_path) or "(root)"
                report.add(Finding("workflows", rel.as_posix(), error.message, None, path))


def _check_catalog_info(report: Report, repo: _Repo) -> None:
    for rel, docs in repo.documents.items():
        if rel.name not in ("catalog-info.yaml", "catalog-info.yml"):
            continue
        report.count("catalog-info")
        for doc in docs:
            for path, message in catalog_info.entity_problems(doc):
                name = _object_name(doc) if isinstance(doc, dict) else None
                report.add(Finding("catalog-info", rel.as_posix(), message, name, path))
