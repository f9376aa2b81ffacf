"""The "CRDs before custom resources" check, for Argo CD sync waves and Flux dependsOn."""

from __future__ import annotations

from pathlib import Path

from scaffolder.validate.runner import validate_repo
from tests.helpers import build_file_tree

ARGO = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: kueue
  annotations: {{argocd.argoproj.io/sync-wave: "{operator_wave}"}}
spec:
  project: default
  destination: {{server: https://kubernetes.default.svc, namespace: kueue-system}}
  source: {{repoURL: oci://registry.k8s.io/kueue/charts, chart: kueue, targetRevision: 0.19.2}}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: queues
  annotations: {{argocd.argoproj.io/sync-wave: "{config_wave}"}}
spec:
  project: default
  destination: {{server: https://kubernetes.default.svc}}
  source: {{repoURL: https://git.example.com/baseline.git, path: config/queues}}
"""
QUEUE = """\
apiVersion: kueue.x-k8s.io/v1beta2
kind: ResourceFlavor
metadata:
  name: default-flavor
"""


def ordering_errors(root: Path) -> list[str]:
    return [f.message for f in validate_repo(root).findings if f.check == "crds-before-crs"]


def test_argo_waves(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path,
        {
            "apps.yaml": ARGO.format(operator_wave=-10, config_wave=0),
            "config/queues/flavors.yaml": QUEUE,
        },
    )
    assert ordering_errors(tmp_path) == []
    build_file_tree(tmp_path, {"apps.yaml": ARGO.format(operator_wave=0, config_wave=0)})
    [message] = ordering_errors(tmp_path)
    assert "Application/queues (wave 0) uses kueue.x-k8s.io before its CRDs" in message
    assert "Application/kueue (wave 0)" in message and "sync-wave" in message


def test_custom_resources_nobody_installs(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path,
        {
            "apps.yaml": ARGO.format(operator_wave=-10, config_wave=0),
            "config/queues/flavors.yaml": QUEUE,
            "config/queues/cert.yaml": "apiVersion: cert-manager.io/v1\nkind: Certificate\n"
            "metadata:\n  name: x\n",
        },
    )
    assert any(
        "uses custom resources of cert-manager.io, but nothing in the repo installs" in m
        for m in ordering_errors(tmp_path)
    )


FLUX = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: releases, namespace: flux-system}}
spec:
  interval: 10m
  path: ./releases
  prune: true
  sourceRef: {{kind: GitRepository, name: repo}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: queues, namespace: flux-system}}
spec:
  interval: 10m
  path: ./config/queues
  prune: true
  sourceRef: {{kind: GitRepository, name: repo}}
  dependsOn: {depends}
"""
RELEASE = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: kueue, namespace: flux-system}
spec:
  interval: 30m
  chartRef: {kind: OCIRepository, name: kueue}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: kueue, namespace: flux-system}
spec: {interval: 1h, url: oci://registry.k8s.io/kueue/charts/kueue, ref: {tag: 0.19.2}}
"""


def test_flux_depends_on(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path,
        {
            "flux.yaml": FLUX.format(depends="[{name: releases}]"),
            "releases/kueue.yaml": RELEASE,
            "config/queues/flavors.yaml": QUEUE,
        },
    )
    assert ordering_errors(tmp_path) == []
    build_file_tree(tmp_path, {"flux.yaml": FLUX.format(depends="[]")})
    [message] = ordering_errors(tmp_path)
    assert "Kustomization/queues uses kueue.x-k8s.io but does not depend on releases" in message
