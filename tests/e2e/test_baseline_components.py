"""End to end: the platform components cluster-baseline 1.2.0 adds (issue 17), built with
kustomize the way each environment's cluster syncs them: what each provider gets, and that
the answers reach the objects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffolder.catalog import load_catalog
from scaffolder.generate import generate, plan
from scaffolder.validate.kustomize import build
from tests.e2e.test_platform_contract import baseline_answers

pytestmark = pytest.mark.e2e

Make = Callable[..., Path]


@pytest.fixture(scope="module")
def make(tmp_path_factory: pytest.TempPathFactory) -> Make:
    """Generate a baseline of the contract matrix, with answers changed; once per answers."""
    cache: dict[str, Path] = {}

    def get(name: str, **changes: Any) -> Path:
        key = repr((name, sorted(changes.items())))
        if key not in cache:
            dest = tmp_path_factory.mktemp(name) / "baseline"
            data = {**baseline_answers(name), **changes}
            generate(plan(load_catalog(), "cluster-baseline", data=data), dest, git=False)
            cache[key] = dest
        return cache[key]

    return get


def synced(repo: Path, env: str) -> list[dict[str, Any]]:
    """What the cluster of ``env`` syncs first: its Applications or Flux objects."""
    objects, error = build(repo, Path("clusters") / env / "apps")
    assert error is None, error
    return objects


def named(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def values(repo: Path, release: str) -> dict[str, Any]:
    path = repo / "platform" / "releases" / release / "values.yaml"
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data


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
