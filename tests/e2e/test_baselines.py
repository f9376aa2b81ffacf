"""End to end: cluster baselines over a pairwise matrix of their choices (Kyverno and
Gatekeeper included), plus the all-on and all-off corners, render and pass `scaffolder
validate` (pinned Kubernetes and CRD schemas, semantic checks including CRD ordering); a
tenant added to a baseline repo keeps it valid."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffolder.catalog import load_catalog
from scaffolder.generate import generate, plan
from scaffolder.standards import run_standards
from scaffolder.standards.model import Level
from scaffolder.validate.runner import validate_repo
from tests.helpers import run_cli

pytestmark = pytest.mark.e2e

AWS = {
    "provider": "aws",
    "external_secrets_provider": "aws-secrets-manager",
    "external_secrets_auth": "irsa",
    "aws_account_id": "123456789012",
}
GCP = {
    "provider": "gcp",
    "external_secrets_provider": "gcp-secret-manager",
    "external_secrets_auth": "workload-identity",
    "gcp_project": "acme-platform",
}
AZURE = {
    "provider": "azure",
    "external_secrets_provider": "azure-key-vault",
    "external_secrets_auth": "workload-identity",
    "azure_tenant_id": "00000000-0000-0000-0000-000000000001",
    "azure_client_id": "00000000-0000-0000-0000-000000000002",
    # cert-manager's DNS-01 solver (Azure DNS), since cluster-baseline 1.1.0.
    "azure_subscription_id": "00000000-0000-0000-0000-000000000003",
    "azure_dns_client_id": "00000000-0000-0000-0000-000000000004",
    # Velero's identity (since 1.2.0).
    "backup_azure_client_id": "00000000-0000-0000-0000-000000000005",
}
ONPREM = {
    "provider": "on-prem",
    "external_secrets_provider": "vault",
    "external_secrets_auth": "kubernetes",
    # LoadBalancer addresses (since 1.2.0): MetalLB by default with Calico.
    "load_balancer_addresses": ["192.168.10.240-192.168.10.250", "10.20.0.0/28"],
}
CILIUM = {"cni": "cilium", "api_server_host": "api.cluster.example.com"}
# Image signature verification (since 1.2.0): keyless from GitHub Actions, or a cosign key.
KEYLESS = {
    "image_verification": "keyless",
    "image_verification_images": ["ghcr.io/acme/*"],
    "image_verification_subject": "https://github.com/acme/*",
}
COSIGN_PUB = """-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHBu8405ooEnfAarGIw5fCbfTk5mu
eAVO1zblUvSnPnLa1v00o2qsy9o/2qVsxO1kNpILxneSU1oyIafW/dvL+g==
-----END PUBLIC KEY-----
"""
PUBLIC_KEY = {
    "image_verification": "public-key",
    "image_verification_images": ["registry.example.com/ml/*", "ghcr.io/acme/*"],
    "image_verification_public_key": COSIGN_PUB,
    "image_verification_action": "Enforce",
}
CALICO = {"cni": "calico"}

# Pairwise over engine x CNI x provider/secrets x GPU strategy, with Kueue, plus corners.
MATRIX: dict[str, dict[str, Any]] = {
    "argo-cilium-aws-timeslicing": {
        "gitops_engine": "argocd",
        **CILIUM,
        **AWS,
        # external-dns is on by default in the clouds; off here (since 1.2.0).
        "external_dns": False,
        "gpu": True,
        "gpu_sharing": "time-slicing",
        "time_slicing_replicas": 4,
    },
    "flux-calico-gcp-mig-mixed": {
        "gitops_engine": "flux",
        **CALICO,
        **GCP,
        "gpu": True,
        "gpu_sharing": "mig-mixed",
        "mig_profile": "3g.40gb",
    },
    "argo-calico-azure-mig-single": {
        "gitops_engine": "argocd",
        **CALICO,
        **AZURE,
        # Gatekeeper in the offline matrix: its constraints are validated against schemas
        # derived from the repo's ConstraintTemplates (needs the gatekeeper CRD folder).
        "policy_engine": "gatekeeper",
        "gpu": True,
        "gpu_sharing": "mig-single",
        "mig_profile": "1g.10gb",
    },
    "flux-cilium-onprem-nosharing": {
        "gitops_engine": "flux",
        **CILIUM,
        **ONPREM,
        **PUBLIC_KEY,
        # MetalLB beside Cilium: Cilium LB IPAM would need Cilium's CRDs, which are not
        # bundled (tests/e2e/test_baseline_components.py renders it).
        "load_balancer": "metallb",
        # cluster-autoscaler on the cluster's own Cluster API objects (since 1.2.0).
        "node_autoscaling": "cluster-api",
        "cluster_api_management": "self-managed",
        # Velero to an S3-compatible store (off by default on-prem).
        "backups": True,
        "backup_s3_url": "https://minio.example.internal:9000",
        "gpu": True,
        "gpu_sharing": "none",
        "pod_cidr": "10.42.0.0/16",
        "storage_provisioner": "driver.longhorn.io",
    },
    "argo-all-on": {
        "gitops_engine": "argocd",
        **CILIUM,
        **AWS,
        **KEYLESS,
        "gpu": True,
        "gpu_sharing": "time-slicing",
        "kueue": True,
        "observability": True,
        "environments": ["dev", "stage", "prod"],
    },
    "flux-all-on": {
        "gitops_engine": "flux",
        **CILIUM,
        **AWS,
        "external_dns_policy": "sync",
        "gpu": True,
        "gpu_sharing": "mig-mixed",
        "mig_profile": "2g.20gb",
        "kueue": True,
        "observability": True,
    },
    "argo-all-off": {
        "gitops_engine": "argocd",
        **CALICO,
        **ONPREM,
        # cluster-autoscaler reading a management cluster (since 1.2.0).
        "node_autoscaling": "cluster-api",
        # cert-manager on-prem with the internal CA (since 1.2.0).
        "tls_certificates": "cert-manager",
        "gpu": False,
        "kueue": False,
        "observability": False,
        "environments": ["prod"],
        "storage_provisioner": "driver.longhorn.io",
        "pod_cidr": "10.42.0.0/16",
    },
    "flux-all-off": {
        "gitops_engine": "flux",
        **CALICO,
        **ONPREM,
        "load_balancer": "none",
        # cert-manager on-prem with ACME DNS-01 by RFC 2136 (since 1.2.0).
        "tls_certificates": "cert-manager",
        "cert_manager_issuer": "acme-rfc2136",
        "rfc2136_nameserver": "ns1.example.com:53",
        "policy_engine": "gatekeeper",
        "gpu": False,
        "kueue": False,
        "observability": False,
        "environments": ["dev"],
        "storage_provisioner": "driver.longhorn.io",
        "pod_cidr": "10.42.0.0/16",
    },
}


@pytest.fixture(scope="module", params=sorted(MATRIX))
def baseline(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp(request.param) / "baseline"
    data = {"cluster_name": "prod-eu", **MATRIX[request.param]}
    generate(plan(load_catalog(), "cluster-baseline", data=data), dest, git=False)
    return dest


def errors(path: Path) -> list[str]:
    return [f"{f.location()}: {f.message}" for f in validate_repo(path).errors]


def test_validates_with_pinned_crds_and_semantic_checks(baseline: Path) -> None:
    report = validate_repo(baseline)
    assert report.ok, errors(baseline)
    assert report.checked.get("custom-resources", 0) > 0


def test_passes_the_baseline_rules(baseline: Path) -> None:
    report = run_standards(baseline, "baseline")
    assert report.level == Level.GOLD, [
        (r.rule.id, r.violations) for r in report.results if not r.passed
    ]


def test_platform_namespaces_deny_ingress_by_default(baseline: Path) -> None:
    """Every platform namespace the repo creates isolates its pods' ingress (1.2.0), or the
    policies file says why not (Flux ships its own, host-network operators)."""
    base = baseline / "platform" / "base"
    created = {
        d["metadata"]["name"]
        for d in yaml.safe_load_all((base / "namespaces.yaml").read_text())
        if d and d["kind"] == "Namespace"
    }
    text = (base / "networkpolicies.yaml").read_text()
    policies = [d for d in yaml.safe_load_all(text) if d]
    denied = {
        p["metadata"]["namespace"]
        for p in policies
        if p["metadata"]["name"] == "default-deny-ingress"
        and p["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    }
    exempt = set(re.findall(r"^# (\S+): no policy here; ", text, re.MULTILINE))
    assert created == denied | exempt and not denied & exempt
    kustomization = yaml.safe_load((base / "kustomization.yaml").read_text())
    assert "networkpolicies.yaml" in kustomization["resources"]
    # Every namespace keeps its own traffic; the API server reaches the webhooks.
    by_ns: dict[str, set[str]] = {}
    for p in policies:
        by_ns.setdefault(p["metadata"]["namespace"], set()).add(p["metadata"]["name"])
    assert all("allow-same-namespace" in names for names in by_ns.values())
    for ns in {"external-secrets", "kyverno", "gatekeeper-system", "cert-manager"} & denied:
        assert "allow-api-server" in by_ns[ns], ns


def test_tenant_added_into_a_baseline_repo(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo = tmp_path / "baseline"
    data = {"cluster_name": "prod-eu", **MATRIX["argo-all-on"]}
    generate(plan(load_catalog(), "cluster-baseline", data=data), repo)
    r = run_cli(capsys, "new", "tenant", repo, "-d", "team=search", "-d", "gpu_quota=2", "--json")
    assert r.code == 0, r.err
    result = json.loads(r.out)
    assert "tenants/search/.copier-answers.yml" in result["files"]
    assert errors(repo) == []
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert log[0].startswith("Add tenant 1.2.0")
    # The tenant's own record: diff compares just its files.
    r = run_cli(
        capsys,
        "diff",
        repo,
        "--answers-file",
        "tenants/search/.copier-answers.yml",
        "--format",
        "json",
    )
    report = json.loads(r.out)["repos"][0]
    assert report["golden_path"] == "tenant"
    assert {f["status"] for f in report["files"]} == {"unchanged"}
    # Adding the same team again would overwrite its files: refused, nothing written.
    r = run_cli(capsys, "new", "tenant", repo, "-d", "team=search")
    assert r.code == 1 and "already has" in r.err
