"""The semantic check "CRDs land before their custom resources", for Argo CD and Flux repos.

A custom resource applied before its CRD exists fails (or is skipped) on a new cluster. For
each GitOps unit (an Argo CD Application with a path in the repo, a Flux Kustomization) the
check finds the custom-resource groups its manifests use, and the units that install those
CRDs: CRD manifests under their path, or a Helm chart known to ship them. Argo CD: every
provider must sync in an earlier wave. Flux: the user must depend on every provider, directly
or through other Kustomizations. Argo CD's and Flux's own kinds come with the bootstrap.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from scaffolder.validate.findings import Finding

# API groups that are part of Kubernetes itself.
BUILTIN_GROUPS = frozenset(
    {
        "",
        "apps",
        "batch",
        "policy",
        "autoscaling",
        "rbac.authorization.k8s.io",
        "networking.k8s.io",
        "storage.k8s.io",
        "scheduling.k8s.io",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "node.k8s.io",
        "certificates.k8s.io",
        "flowcontrol.apiserver.k8s.io",
        "resource.k8s.io",
        "kustomize.config.k8s.io",
    }
)
# Installed by the GitOps engine's own bootstrap.
BOOTSTRAP = {
    "argocd": frozenset({"argoproj.io"}),
    "flux": frozenset(
        {
            "source.toolkit.fluxcd.io",
            "kustomize.toolkit.fluxcd.io",
            "helm.toolkit.fluxcd.io",
            "notification.toolkit.fluxcd.io",
            "image.toolkit.fluxcd.io",
        }
    ),
}
# Charts that install CRDs, by chart name: the API groups they bring.
CHART_GROUPS: Mapping[str, frozenset[str]] = {
    "argo-cd": frozenset({"argoproj.io"}),
    "argo-rollouts": frozenset({"argoproj.io"}),
    "gateway-crds-helm": frozenset({"gateway.networking.k8s.io", "gateway.envoyproxy.io"}),
    "gateway-helm": frozenset({"gateway.networking.k8s.io", "gateway.envoyproxy.io"}),
    "gpu-operator": frozenset({"nvidia.com"}),
    "kyverno": frozenset({"kyverno.io", "reports.kyverno.io", "wgpolicyk8s.io"}),
    "gatekeeper": frozenset(
        {
            "templates.gatekeeper.sh",
            "constraints.gatekeeper.sh",
            "config.gatekeeper.sh",
            "mutations.gatekeeper.sh",
        }
    ),
    "kube-prometheus-stack": frozenset({"monitoring.coreos.com"}),
    "prometheus-operator-crds": frozenset({"monitoring.coreos.com"}),
    "kueue": frozenset({"kueue.x-k8s.io"}),
    "jobset": frozenset({"jobset.x-k8s.io"}),
    "karpenter": frozenset({"karpenter.sh", "karpenter.k8s.aws"}),
    "karpenter-crd": frozenset({"karpenter.sh", "karpenter.k8s.aws"}),
    "external-secrets": frozenset({"external-secrets.io", "generators.external-secrets.io"}),
    "cilium": frozenset({"cilium.io"}),
    "tigera-operator": frozenset(
        {"operator.tigera.io", "crd.projectcalico.org", "projectcalico.org"}
    ),
    "cert-manager": frozenset({"cert-manager.io", "acme.cert-manager.io"}),
    "metallb": frozenset({"metallb.io"}),
    "velero": frozenset({"velero.io"}),
}


def group_of(api_version: Any) -> str:
    text = str(api_version or "")
    return text.split("/", maxsplit=1)[0] if "/" in text else ""


@dataclass
class Unit:
    """One thing the engine applies: an Application or a Flux Kustomization."""

    kind: str
    name: str
    file: str
    path: str | None
    wave: int = 0
    depends_on: list[str] = field(default_factory=list)
    provides: set[str] = field(default_factory=set)
    uses: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.name}"


def _under(file: str, folder: str | None) -> bool:
    if folder is None:
        return False
    base = PurePosixPath(folder.strip("./") or ".")
    path = PurePosixPath(file)
    return str(base) == "." or base in path.parents


def _charts(obj: Mapping[str, Any]) -> set[str]:
    spec = obj.get("spec") if isinstance(obj.get("spec"), Mapping) else {}
    spec = spec or {}
    if obj.get("kind") == "HelmRelease":
        chart = ((spec.get("chart") or {}).get("spec") or {}).get("chart")
        ref = (spec.get("chartRef") or {}).get("name")
        return {str(c) for c in (chart, ref, (obj.get("metadata") or {}).get("name")) if c}
    sources = [spec.get("source")] if spec.get("source") else list(spec.get("sources") or [])
    return {str(s["chart"]) for s in sources if isinstance(s, Mapping) and s.get("chart")}


def _provided_by_chart(charts: set[str]) -> set[str]:
    out: set[str] = set()
    for chart in charts:
        for known, groups in CHART_GROUPS.items():
            if chart == known or chart.endswith("/" + known):
                out |= groups
    return out


def _oci_charts(objects: list[Any]) -> dict[str, str]:
    """OCIRepository name -> chart name (the URL's last segment), for Flux ``chartRef``."""
    out = {}
    for o in objects:
        if o.doc.get("kind") == "OCIRepository":
            url = str((o.doc.get("spec") or {}).get("url", ""))
            out[str((o.doc.get("metadata") or {}).get("name"))] = url.rstrip("/").split("/")[-1]
    return out


def units(objects: list[Any]) -> tuple[str | None, list[Unit]]:
    """The engine and its units, with what each provides and uses."""
    found: list[Unit] = []
    engine = None
    oci = _oci_charts(objects)
    for o in objects:
        doc = o.doc
        meta = doc.get("metadata") or {}
        spec = doc.get("spec") or {}
        if doc.get("kind") == "Application" and group_of(doc.get("apiVersion")) == "argoproj.io":
            engine = engine or "argocd"
            sources = (
                [spec.get("source")] if spec.get("source") else list(spec.get("sources") or [])
            )
            paths = [s.get("path") for s in sources if isinstance(s, Mapping) and s.get("path")]
            wave = int(
                str((meta.get("annotations") or {}).get("argocd.argoproj.io/sync-wave", "0"))
            )
            unit = Unit(
                "Application", str(meta.get("name")), o.file, str(paths[0]) if paths else None, wave
            )
            unit.provides |= _provided_by_chart(_charts(doc))
            found.append(unit)
        elif doc.get("kind") == "Kustomization" and group_of(doc.get("apiVersion")) == (
            "kustomize.toolkit.fluxcd.io"
        ):
            engine = engine or "flux"
            # A Kustomization of another source (an OCIRepository, e.g. Flux's own
            # manifests) applies nothing of this repo.
            in_repo = (spec.get("sourceRef") or {}).get("kind", "GitRepository") == "GitRepository"
            found.append(
                Unit(
                    "Kustomization",
                    str(meta.get("name")),
                    o.file,
                    str(spec.get("path") or ".") if in_repo else None,
                    0,
                    [str(d.get("name")) for d in spec.get("dependsOn") or []],
                )
            )
    for unit in found:
        for o in objects:
            if not _under(o.file, unit.path):
                continue
            group = group_of(o.doc.get("apiVersion"))
            if o.doc.get("kind") == "CustomResourceDefinition":
                unit.provides.add(str((o.doc.get("spec") or {}).get("group")))
            elif o.doc.get("kind") == "HelmRelease":
                charts = _charts(o.doc)
                unit.provides |= _provided_by_chart(charts | {oci[c] for c in charts if c in oci})
            if group and group not in BUILTIN_GROUPS:
                unit.uses.add(group)
    return engine, found


def check(objects: list[Any]) -> Iterator[Finding]:
    engine, found = units(objects)
    if engine is None:
        return
    bootstrap = BOOTSTRAP[engine]
    by_name = {u.name: u for u in found}

    def dependencies(unit: Unit, seen: set[str] | None = None) -> set[str]:
        seen = seen or set()
        for name in unit.depends_on:
            if name not in seen and name in by_name:
                seen.add(name)
                dependencies(by_name[name], seen)
        return seen

    for unit in found:
        for group in sorted(unit.uses - bootstrap):
            providers = [p for p in found if group in p.provides and p is not unit]
            if not providers:
                if group in unit.provides:
                    yield Finding(
                        "",
                        unit.file,
                        f"{unit.label} installs the CRDs of {group} and "
                        "uses them in the same sync: split the custom resources into "
                        "a unit that runs after it",
                        unit.label,
                    )
                else:
                    yield Finding(
                        "",
                        unit.file,
                        f"{unit.label} uses custom resources of "
                        f"{group}, but nothing in the repo installs their CRDs",
                        unit.label,
                    )
                continue
            if engine == "argocd":
                if not any(p.wave < unit.wave for p in providers):
                    names = ", ".join(f"{p.label} (wave {p.wave})" for p in providers)
                    yield Finding(
                        "",
                        unit.file,
                        f"{unit.label} (wave {unit.wave}) uses {group} "
                        f"before its CRDs are installed by {names}: give it a later "
                        "argocd.argoproj.io/sync-wave",
                        unit.label,
                        "metadata.annotations",
                    )
            elif not any(p.name in dependencies(unit) for p in providers):
                names = ", ".join(p.name for p in providers)
                yield Finding(
                    "",
                    unit.file,
                    f"{unit.label} uses {group} but does not depend on "
                    f"{names}, which installs its CRDs: add it to spec.dependsOn",
                    unit.label,
                    "spec.dependsOn",
                )
