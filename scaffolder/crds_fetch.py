"""Downloading the CRDs golden paths pin, from the projects' own release artifacts.

``scaffolder validate`` reads CRDs offline from ``<dir>/<project>-<version>/``. This fills that
folder for users who are online: for each pinned project it downloads the release manifests
below, keeps only the CustomResourceDefinition documents, and writes them one file each.
``--mirror URL`` fetches the same paths from an internal mirror instead (and lets the tests
serve them from localhost: they never reach the network).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from scaffolder import yamlio
from scaffolder.errors import ScaffolderError

GITHUB = "https://github.com/"
RAW = "https://raw.githubusercontent.com/"

# project -> (base URL, paths with {version}); each path is a YAML stream holding CRDs.
SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "argo-cd": (
        RAW,
        tuple(
            f"argoproj/argo-cd/{{version}}/manifests/crds/{n}-crd.yaml"
            for n in ("application", "applicationset", "appproject")
        ),
    ),
    "argo-rollouts": (GITHUB, ("argoproj/argo-rollouts/releases/download/{version}/install.yaml",)),
    "cert-manager": (
        GITHUB,
        ("cert-manager/cert-manager/releases/download/{version}/cert-manager.crds.yaml",),
    ),
    "cilium": (
        RAW,
        tuple(
            f"cilium/cilium/{{version}}/pkg/k8s/apis/cilium.io/client/crds/{n}.yaml"
            for n in (
                "v2/ciliumnetworkpolicies",
                "v2/ciliumclusterwidenetworkpolicies",
                # On-prem LoadBalancer addresses (cluster-baseline 1.2.0, load_balancer=cilium).
                "v2/ciliumloadbalancerippools",
                "v2alpha1/ciliuml2announcementpolicies",
            )
        ),
    ),
    "envoy-gateway": (GITHUB, ("envoyproxy/gateway/releases/download/{version}/install.yaml",)),
    "external-secrets": (
        RAW,
        ("external-secrets/external-secrets/{version}/deploy/crds/bundle.yaml",),
    ),
    "flux-helm-controller": (
        GITHUB,
        ("fluxcd/helm-controller/releases/download/{version}/helm-controller.crds.yaml",),
    ),
    "flux-kustomize-controller": (
        GITHUB,
        ("fluxcd/kustomize-controller/releases/download/{version}/kustomize-controller.crds.yaml",),
    ),
    "flux-source-controller": (
        GITHUB,
        ("fluxcd/source-controller/releases/download/{version}/source-controller.crds.yaml",),
    ),
    "gateway-api": (
        GITHUB,
        ("kubernetes-sigs/gateway-api/releases/download/{version}/experimental-install.yaml",),
    ),
    "gatekeeper": (RAW, ("open-policy-agent/gatekeeper/{version}/deploy/gatekeeper.yaml",)),
    "gpu-operator": (
        RAW,
        tuple(
            f"NVIDIA/gpu-operator/{{version}}/deployments/gpu-operator/crds/nvidia.com_{n}.yaml"
            for n in ("clusterpolicies", "nvidiadrivers")
        ),
    ),
    "jobset": (GITHUB, ("kubernetes-sigs/jobset/releases/download/{version}/manifests.yaml",)),
    "karpenter": (
        RAW,
        tuple(
            f"aws/karpenter-provider-aws/{{version}}/pkg/apis/crds/{n}.yaml"
            for n in (
                "karpenter.sh_nodepools",
                "karpenter.sh_nodeclaims",
                "karpenter.k8s.aws_ec2nodeclasses",
            )
        ),
    ),
    "kueue": (GITHUB, ("kubernetes-sigs/kueue/releases/download/{version}/manifests.yaml",)),
    "kyverno": (GITHUB, ("kyverno/kyverno/releases/download/{version}/install.yaml",)),
    "metallb": (
        RAW,
        tuple(
            f"metallb/metallb/{{version}}/config/crd/bases/metallb.io_{n}.yaml"
            for n in (
                "bfdprofiles",
                "bgpadvertisements",
                "bgppeers",
                "communities",
                "configurationstates",
                "ipaddresspools",
                "l2advertisements",
                "servicebgpstatuses",
                "servicel2statuses",
            )
        ),
    ),
    "prometheus-operator": (
        GITHUB,
        (
            "prometheus-operator/prometheus-operator/releases/"
            "download/{version}/stripped-down-crds.yaml",
        ),
    ),
    "velero": (
        RAW,
        tuple(
            f"vmware-tanzu/velero/{{version}}/config/crd/{n}.yaml"
            for n in (
                *(
                    f"v1/bases/velero.io_{kind}"
                    for kind in (
                        "backuprepositories",
                        "backups",
                        "backupstoragelocations",
                        "deletebackuprequests",
                        "downloadrequests",
                        "podvolumebackups",
                        "podvolumerestores",
                        "restores",
                        "schedules",
                        "serverstatusrequests",
                        "volumesnapshotlocations",
                    )
                ),
                "v2alpha1/bases/velero.io_datadownloads",
                "v2alpha1/bases/velero.io_datauploads",
            )
        ),
    ),
    "tigera-operator": (RAW, ("projectcalico/calico/{version}/manifests/operator-crds.yaml",)),
}


@dataclass(frozen=True)
class Fetched:
    folder: str
    crds: int
    skipped: bool = False


def wanted_pins(pin_sets: Iterable[Mapping[str, str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for pins in pin_sets:
        for project, version in pins.items():
            out.setdefault(project, set()).add(version)
    return out


def _download(url: str, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data: bytes = response.read()
            return data
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ScaffolderError(
            f"cannot download {url}: {exc}", hint="check the network or pass --mirror URL"
        ) from exc


def fetch(
    crd_dir: Path,
    pins: Mapping[str, set[str]],
    *,
    mirror: str | None = None,
    force: bool = False,
    timeout: float = 60.0,
) -> tuple[list[Fetched], list[str]]:
    """Download every pinned project's CRDs into ``crd_dir/<project>-<version>/``.

    Returns what was fetched and, for each project that failed, why: one failure never stops
    the others.
    """
    unknown = sorted(set(pins) - set(SOURCES))
    if unknown:
        raise ScaffolderError(
            f"no download source known for: {', '.join(unknown)}",
            hint="put those CRDs in the CRD folder by hand",
        )
    results = []
    failures = []
    for project in sorted(pins):
        for version in sorted(pins[project]):
            try:
                results.append(
                    _fetch_one(
                        crd_dir, project, version, mirror=mirror, force=force, timeout=timeout
                    )
                )
            except ScaffolderError as exc:
                failures.append(exc.message)
    return results, failures


def _fetch_one(
    crd_dir: Path, project: str, version: str, *, mirror: str | None, force: bool, timeout: float
) -> Fetched:
    base, paths = SOURCES[project]
    folder = crd_dir / f"{project}-{version}"
    if folder.is_dir() and any(folder.iterdir()) and not force:
        return Fetched(folder.name, len(list(folder.glob("*.yaml"))), True)
    crds: dict[str, str] = {}
    for path in paths:
        url = (mirror.rstrip("/") + "/" if mirror else base) + path.format(version=version)
        for doc in yamlio.load_all(_download(url, timeout)):
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                name = str((doc.get("metadata") or {}).get("name"))
                crds[name] = yaml.safe_dump(doc, sort_keys=False)
    if not crds:
        raise ScaffolderError(
            f"{project} {version}: the release manifests hold no CRDs",
            hint="check the pinned version",
        )
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in crds.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return Fetched(folder.name, len(crds))
