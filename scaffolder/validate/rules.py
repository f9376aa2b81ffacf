"""Semantic checks a schema cannot make, run by ``validate`` over a repo's YAML documents.

Each rule is a small function registered with an id; it sees every parsed document with its
file and reports findings. They apply only where their objects exist, so a service repo and a
cluster baseline run the same registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffolder.validate.findings import Finding, Report

PSA_ENFORCE = "pod-security.kubernetes.io/enforce"
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
TENANT_LABEL = "scaffolder.dev/tenant"


@dataclass(frozen=True)
class Obj:
    file: str
    doc: Mapping[str, Any]

    @property
    def kind(self) -> str:
        return str(self.doc.get("kind", ""))

    @property
    def meta(self) -> Mapping[str, Any]:
        meta = self.doc.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def name(self) -> str:
        return str(self.meta.get("name", "?"))

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.name}"

    def spec(self) -> Mapping[str, Any]:
        spec = self.doc.get("spec")
        return spec if isinstance(spec, dict) else {}


Rule = Callable[[list[Obj], Path], Iterator[Finding]]
RULES: dict[str, Rule] = {}


def rule(rule_id: str) -> Callable[[Rule], Rule]:
    def register(func: Rule) -> Rule:
        RULES[rule_id] = func
        return func

    return register


def run_rules(report: Report, root: Path, documents: Mapping[Path, list[Any]]) -> None:
    objects = [
        Obj(rel.as_posix(), d)
        for rel, docs in documents.items()
        for d in docs
        if isinstance(d, dict) and "kind" in d and "apiVersion" in d
    ]
    for rule_id, check in RULES.items():
        report.count("rules")
        for finding in check(objects, root):
            report.add(
                Finding(
                    rule_id,
                    finding.file,
                    finding.message,
                    finding.object,
                    finding.field,
                    finding.severity,
                )
            )


def of_kind(objects: list[Obj], *kinds: str) -> list[Obj]:
    return [o for o in objects if o.kind in kinds]


@rule("no-secret-data")
def no_secret_data(objects: list[Obj], _root: Path) -> Iterator[Finding]:
    """Secrets come from a secret manager (External Secrets), never from Git."""
    for o in of_kind(objects, "Secret"):
        for key in ("data", "stringData"):
            if o.doc.get(key):
                yield Finding(
                    "",
                    o.file,
                    "Secret with data committed to Git; use an "
                    "ExternalSecret that reads it from the secret store",
                    o.label,
                    key,
                )


@rule("one-default-storageclass")
def one_default_storageclass(objects: list[Obj], _root: Path) -> Iterator[Finding]:
    classes = of_kind(objects, "StorageClass")
    if not classes:
        return
    defaults = [
        o for o in classes if str(o.meta.get("annotations", {}).get(DEFAULT_CLASS)) == "true"
    ]
    if len(defaults) != 1:
        names = ", ".join(o.name for o in defaults) or "none"
        yield Finding(
            "",
            classes[0].file,
            f"exactly one StorageClass must be the default; found {len(defaults)} ({names})",
            None,
            f"metadata.annotations.{DEFAULT_CLASS}",
        )


@rule("namespace-pod-security")
def namespace_pod_security(objects: list[Obj], _root: Path) -> Iterator[Finding]:
    for o in of_kind(objects, "Namespace"):
        labels = o.meta.get("labels") or {}
        level = labels.get(PSA_ENFORCE)
        if not level:
            yield Finding(
                "", o.file, f"namespace has no {PSA_ENFORCE} label", o.label, "metadata.labels"
            )
        elif labels.get(TENANT_LABEL) and level != "restricted":
            yield Finding(
                "",
                o.file,
                f"tenant namespaces must enforce 'restricted', not {level!r}",
                o.label,
                f"metadata.labels.{PSA_ENFORCE}",
            )


@rule("kueue-references")
def kueue_references(objects: list[Obj], _root: Path) -> Iterator[Finding]:
    queues = {o.name for o in of_kind(objects, "ClusterQueue")}
    flavors = {o.name for o in of_kind(objects, "ResourceFlavor")}
    for o in of_kind(objects, "LocalQueue"):
        target = o.spec().get("clusterQueue")
        if queues and target not in queues:
            yield Finding(
                "",
                o.file,
                f"LocalQueue points at ClusterQueue {target!r}, which is "
                f"not defined (defined: {', '.join(sorted(queues))})",
                o.label,
                "spec.clusterQueue",
            )
    for o in of_kind(objects, "ClusterQueue"):
        for group in o.spec().get("resourceGroups") or []:
            for flavor in group.get("flavors") or []:
                if flavor.get("name") not in flavors:
                    yield Finding(
                        "",
                        o.file,
                        f"ClusterQueue uses ResourceFlavor "
                        f"{flavor.get('name')!r}, which is not defined",
                        o.label,
                        "spec.resourceGroups.flavors.name",
                    )


@rule("externalsecret-store")
def externalsecret_store(objects: list[Obj], _root: Path) -> Iterator[Finding]:
    cluster_stores = {o.name for o in of_kind(objects, "ClusterSecretStore")}
    stores = {(o.meta.get("namespace"), o.name) for o in of_kind(objects, "SecretStore")}
    for o in of_kind(objects, "ExternalSecret"):
        ref = o.spec().get("secretStoreRef") or {}
        kind, name = ref.get("kind", "SecretStore"), ref.get("name")
        if kind == "ClusterSecretStore":
            known = name in cluster_stores
        else:
            known = (o.meta.get("namespace"), name) in stores or any(n == name for _, n in stores)
        if not known and (cluster_stores or stores):
            yield Finding(
                "",
                o.file,
                f"ExternalSecret references {kind} {name!r}, which is not defined in this repo",
                o.label,
                "spec.secretStoreRef",
            )


@rule("gitops-paths-exist")
def gitops_paths_exist(objects: list[Obj], root: Path) -> Iterator[Finding]:
    for o in of_kind(objects, "Application", "Kustomization"):
        if o.kind == "Kustomization" and not o.doc.get("apiVersion", "").startswith(
            "kustomize.toolkit.fluxcd.io/"
        ):
            continue
        spec = o.spec()
        sources = [spec.get("source")] if spec.get("source") else list(spec.get("sources") or [])
        paths = [s.get("path") for s in sources if isinstance(s, dict) and not s.get("chart")]
        if o.kind == "Kustomization":
            # Only a GitRepository source is this repo (an OCIRepository is another artifact).
            in_repo = (spec.get("sourceRef") or {}).get("kind", "GitRepository") == "GitRepository"
            paths = [spec.get("path")] if in_repo else []
        for path in paths:
            if isinstance(path, str) and "{{" not in path and not (root / path).exists():
                yield Finding(
                    "",
                    o.file,
                    f"path {path!r} does not exist in the repo",
                    o.label,
                    "spec.path" if o.kind == "Kustomization" else "spec.source.path",
                )


@rule("crds-before-crs")
def crds_before_crs(objects: list[Obj], _root: Path) -> Iterator[Finding]:
    """Argo CD waves and Flux dependsOn install CRDs before the resources that use them."""
    from scaffolder.validate.ordering import check

    yield from check(objects)


@rule("image-signatures")
def image_signatures(objects: list[Obj], _root: Path) -> Iterator[Finding]:
    """A repo of admission policies that does not verify image signatures is reported
    (a warning): Kyverno without a verifyImages rule, or Gatekeeper, which has no signature
    verification of its own, without Ratify (docs/baseline/image-signatures.md)."""
    kyverno = [
        o
        for o in of_kind(objects, "ClusterPolicy", "Policy")
        if str(o.doc.get("apiVersion", "")).startswith("kyverno.io/")
    ]
    templates = of_kind(objects, "ConstraintTemplate")
    if not kyverno and not templates:
        return
    if any(r.get("verifyImages") for o in kyverno for r in o.spec().get("rules") or []):
        return
    if any(str(o.doc.get("apiVersion", "")).startswith("config.ratify.") for o in objects):
        return
    if kyverno:
        first = kyverno[0]
        message = (
            "no Kyverno policy verifies image signatures (verifyImages): any image that"
            " passes the other policies runs; cluster-baseline answer image_verification"
        )
    else:
        first = templates[0]
        message = (
            "Gatekeeper does not verify image signatures and no Ratify verifier is"
            " configured: any image that passes the constraints runs"
        )
    yield Finding("", first.file, message, first.label, severity="warning")
