"""End to end: the platform components cluster-baseline 1.2.0 adds (issue 17) that face
clients and the supply chain: external-dns, image signature verification and cert-manager
on-prem, built with kustomize the way each environment's cluster syncs them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffolder.catalog import load_catalog
from scaffolder.errors import AnswerError
from scaffolder.generate import plan
from scaffolder.validate.kustomize import build
from scaffolder.validate.runner import validate_repo
from tests.e2e.baseline_repos import Make, named, synced, values
from tests.e2e.test_baselines import COSIGN_PUB
from tests.e2e.test_platform_contract import baseline_answers

pytestmark = pytest.mark.e2e


# --- external-dns ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "provider", "identity"),
    [
        ("argo-all-on", "aws", "eks.amazonaws.com/role-arn"),
        ("argo-cilium-gcp-gateway", "google", "iam.gke.io/gcp-service-account"),
        ("argo-calico-azure-mig-single", "azure", "azure.workload.identity/client-id"),
    ],
)
def test_external_dns_publishes_the_gateway_routes_per_cloud(
    make: Make, name: str, provider: str, identity: str
) -> None:
    repo = make(name)
    v = values(repo, "external-dns")
    assert v["provider"]["name"] == provider
    assert v["sources"] == ["gateway-httproute", "gateway-grpcroute"]
    assert v["domainFilters"] == ["prod-eu.example.internal"]
    assert v["policy"] == "upsert-only" and v["registry"] == "txt"
    assert identity in v["serviceAccount"]["annotations"]
    if provider == "azure":
        # The same managed identity as cert-manager's DNS-01 solver, and azure.json from a
        # ConfigMap of platform/base (no credential in it).
        cert_manager = (repo / "platform/configs/gateway/certificate.yaml").read_text()
        assert v["serviceAccount"]["annotations"][identity] in cert_manager
        objects, error = build(repo, Path("platform/base"))
        assert error is None, error
        config = named(objects, "ConfigMap", "external-dns-azure")
        assert '"useWorkloadIdentityExtension": true' in config["data"]["azure.json"]
        assert config["metadata"]["namespace"] == "external-dns"
        assert v["extraVolumes"][0]["configMap"]["name"] == "external-dns-azure"


def test_external_dns_owner_is_each_environments_cluster(make: Make) -> None:
    # Argo CD: the environment's Application patch; Flux: its values ConfigMap.
    argo = make("argo-all-on")
    for env in ("dev", "stage", "prod"):
        app = named(synced(argo, env), "Application", "external-dns")
        assert app["spec"]["sources"][0]["helm"]["valuesObject"] == {"txtOwnerId": f"prod-eu-{env}"}
        assert app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "-10"
    flux = make("flux-all-on")
    objects = synced(flux, "dev")
    config = named(objects, "ConfigMap", "external-dns-values-env")
    assert yaml.safe_load(config["data"]["values.yaml"]) == {"txtOwnerId": "prod-eu-dev"}
    releases, error = build(flux, Path("platform/releases"))
    assert error is None, error
    release = named(releases, "HelmRelease", "external-dns")
    assert {d["name"] for d in release["spec"]["dependsOn"]} == {
        "gateway-api-crds",
        "kube-prometheus-stack",
    }
    assert values(flux, "external-dns")["policy"] == "sync"


def test_external_dns_is_off_where_it_has_no_zone_to_write(make: Make) -> None:
    for repo in (make("argo-all-off"), make("argo-cilium-aws-timeslicing")):
        assert not (repo / "platform/releases/external-dns").exists()
        assert "external-dns" not in (repo / "platform/base/namespaces.yaml").read_text()
    on = make("argo-all-on")
    assert "external-dns" in (on / "platform/base/namespaces.yaml").read_text()


# --- image signature verification ------------------------------------------------------------


def verify_rule(repo: Path) -> dict[str, Any]:
    objects, error = build(repo, Path("platform/configs/image-verification"))
    assert error is None, error
    policy = named(objects, "ClusterPolicy", "verify-image-signatures")
    (rule,) = policy["spec"]["rules"]
    assert "kyverno" in rule["exclude"]["any"][0]["resources"]["namespaces"]
    assert rule["match"]["any"][0]["resources"]["kinds"] == ["Pod"]
    (verify,) = rule["verifyImages"]
    assert isinstance(verify, dict)
    return verify


def warnings(repo: Path) -> list[str]:
    report = validate_repo(repo)
    assert report.ok
    return [f.message for f in report.findings if f.severity == "warning"]


def test_keyless_signatures_are_audited_by_default(make: Make) -> None:
    repo = make("argo-all-on")
    verify = verify_rule(repo)
    assert verify["imageReferences"] == ["ghcr.io/acme/*"]
    assert verify["failureAction"] == "Audit"
    # Audit observes only: no digest mutation (Kyverno refuses it with Audit).
    assert verify["mutateDigest"] is False and verify["verifyDigest"] is False
    (entry,) = verify["attestors"][0]["entries"]
    assert entry["keyless"]["issuer"] == "https://token.actions.githubusercontent.com"
    assert entry["keyless"]["subject"] == "https://github.com/acme/*"
    app = named(synced(repo, "prod"), "Application", "image-verification")
    assert app["spec"]["source"]["path"] == "platform/configs/image-verification"
    assert not [w for w in warnings(repo) if "signature" in w]


def test_public_key_signatures_enforced_pin_the_digest(make: Make) -> None:
    repo = make("flux-cilium-onprem-nosharing")
    verify = verify_rule(repo)
    assert verify["failureAction"] == "Enforce"
    assert verify["mutateDigest"] is True and verify["verifyDigest"] is True
    (entry,) = verify["attestors"][0]["entries"]
    assert entry["keys"]["publicKeys"] == COSIGN_PUB.strip()
    objects, error = build(repo, Path("gitops/flux"))
    assert error is None, error
    layer = named(objects, "Kustomization", "image-verification")
    assert layer["spec"]["dependsOn"] == [{"name": "platform-releases"}]


@pytest.mark.parametrize(
    ("name", "says"),
    [("argo-all-off", "no Kyverno policy verifies"), ("flux-all-off", "Gatekeeper does not")],
)
def test_validate_warns_where_signatures_are_not_verified(make: Make, name: str, says: str) -> None:
    repo = make(name)
    assert not (repo / "platform/configs/image-verification").exists()
    assert [w for w in warnings(repo) if w.startswith(says)]


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"image_verification_images": []}, "non-empty YAML list"),
        ({"image_verification_images": ["acme/*"]}, "registry host"),
        ({"image_verification_subject": "*"}, "not everyone"),
        (
            {
                "image_verification": "public-key",
                "image_verification_public_key": "ssh-ed25519 AAA",
            },
            "PEM public key",
        ),
    ],
)
def test_image_verification_answers_are_checked(changes: dict[str, Any], says: str) -> None:
    data = {**baseline_answers("argo-all-on"), **changes}
    with pytest.raises(AnswerError, match=says):
        plan(load_catalog(), "cluster-baseline", data=data)


# --- cert-manager on-prem ----------------------------------------------------------------------


def issuer_and_secret(repo: Path, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    objects, error = build(repo, Path("platform/configs/gateway"))
    assert error is None, error
    certificate = named(objects, "Certificate", "shared-gateway-tls")
    assert certificate["spec"]["issuerRef"]["name"] == name
    return named(objects, "ClusterIssuer", name), objects


def test_onprem_gateway_certificate_from_the_internal_ca(make: Make) -> None:
    repo = make("argo-all-off")
    issuer, objects = issuer_and_secret(repo, "platform-ca")
    assert issuer["spec"] == {"ca": {"secretName": "platform-ca"}}
    secret = named(objects, "ExternalSecret", "platform-ca")
    assert secret["metadata"]["namespace"] == "cert-manager"
    assert secret["spec"]["target"]["template"]["type"] == "kubernetes.io/tls"
    assert {d["remoteRef"]["key"] for d in secret["spec"]["data"]} == {"prod-eu/platform-ca"}
    # No cloud identity on the controller's service account.
    assert "serviceAccount" not in values(repo, "cert-manager")


def test_onprem_gateway_certificate_by_acme_over_rfc2136(make: Make) -> None:
    repo = make("flux-all-off")
    issuer, objects = issuer_and_secret(repo, "letsencrypt")
    (solver,) = issuer["spec"]["acme"]["solvers"]
    assert solver["dns01"]["rfc2136"] == {
        "nameserver": "ns1.example.com:53",
        "tsigKeyName": "cert-manager",
        "tsigAlgorithm": "HMACSHA256",
        "tsigSecretSecretRef": {"name": "rfc2136-tsig", "key": "secret"},
    }
    secret = named(objects, "ExternalSecret", "rfc2136-tsig")
    assert secret["spec"]["data"][0]["remoteRef"]["key"] == "prod-eu/rfc2136-tsig"


def test_rfc2136_nameserver_is_checked() -> None:
    data = {
        **baseline_answers("flux-all-off"),
        "rfc2136_nameserver": "ns1.example.com",
    }
    with pytest.raises(AnswerError, match="host:port"):
        plan(load_catalog(), "cluster-baseline", data=data)
