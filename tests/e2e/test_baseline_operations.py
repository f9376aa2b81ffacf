"""End to end: the platform components cluster-baseline 1.2.0 adds (issue 17) that run the
cluster: on-prem load balancing, node autoscaling and Velero backups, built with kustomize
the way each environment's cluster syncs them."""

from __future__ import annotations

import shutil
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
from tests.e2e.test_platform_contract import baseline_answers

pytestmark = pytest.mark.e2e


# --- on-prem load balancing ------------------------------------------------------------------

ADDRESSES = ["192.168.10.240-192.168.10.250", "10.20.0.0/28"]  # ONPREM in test_baselines


def test_metallb_gives_loadbalancer_addresses_with_calico(make: Make) -> None:
    repo = make("argo-all-off")  # on-prem, Calico: MetalLB by default
    objects, error = build(repo, Path("platform/configs/load-balancer"))
    assert error is None, error
    pool = named(objects, "IPAddressPool", "platform")
    assert pool["spec"]["addresses"] == ADDRESSES
    assert pool["metadata"]["namespace"] == "metallb-system"
    assert named(objects, "L2Advertisement", "platform")["spec"]["ipAddressPools"] == ["platform"]
    assert values(repo, "metallb")["frrk8s"] == {"enabled": False}
    apps = synced(repo, "prod")
    release, config = (
        named(apps, "Application", "metallb"),
        named(apps, "Application", "load-balancer"),
    )
    wave = "argocd.argoproj.io/sync-wave"
    assert int(release["metadata"]["annotations"][wave]) < int(
        config["metadata"]["annotations"][wave]
    )
    namespaces, error = build(repo, Path("platform/base"))
    assert error is None, error
    ns = named(namespaces, "Namespace", "metallb-system")
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "privileged"


def test_metallb_objects_are_checked_against_the_bundled_crds(make: Make, tmp_path: Path) -> None:
    repo = make("argo-all-off")
    broken = tmp_path / "repo"
    shutil.copytree(repo, broken)
    path = broken / "platform/configs/load-balancer/metallb.yaml"
    path.write_text(path.read_text().replace("  addresses:", "  adresses:"))
    report = validate_repo(broken)
    assert [f for f in report.errors if "IPAddressPool/platform" in (f.object or "")], [
        f.message for f in report.errors
    ]


def test_cilium_lb_ipam_announces_the_pool_on_layer_2(make: Make) -> None:
    repo = make("flux-cilium-onprem-nosharing", load_balancer="cilium")
    assert not (repo / "platform/releases/metallb").exists()
    objects, error = build(repo, Path("platform/configs/load-balancer"))
    assert error is None, error
    pool = named(objects, "CiliumLoadBalancerIPPool", "platform")
    assert pool["spec"]["blocks"] == [
        {"start": "192.168.10.240", "stop": "192.168.10.250"},
        {"cidr": "10.20.0.0/28"},
    ]
    policy = named(objects, "CiliumL2AnnouncementPolicy", "platform")
    assert policy["spec"]["loadBalancerIPs"] is True
    cilium = values(repo, "cilium")
    assert cilium["l2announcements"] == {"enabled": True}
    assert cilium["kubeProxyReplacement"] is True
    # Cilium's CRDs are not bundled: offline, validate asks for `scaffolder crds fetch`, and
    # that is all it has to say about the repo.
    report = validate_repo(repo)
    assert {f.check for f in report.errors} <= {"crds", "schema"}, report.errors
    assert any("cilium-v1.20.1" in f.message for f in report.errors)
    assert all("cilium.io" in f.message for f in report.errors if f.check != "crds")


def test_no_load_balancer_installed_when_assigned_elsewhere(make: Make) -> None:
    repo = make("flux-all-off")  # load_balancer: none
    assert not (repo / "platform/configs/load-balancer").exists()
    assert not (repo / "platform/releases/metallb").exists()
    assert "kube-vip" in (repo / "README.md").read_text()


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"load_balancer_addresses": ["192.168.10.240"]}, "IPv4 CIDR"),
        ({"load_balancer_addresses": []}, "non-empty YAML list"),
        ({"cni": "calico", "load_balancer": "cilium"}, "needs cni=cilium"),
    ],
)
def test_load_balancer_answers_are_checked(changes: dict[str, Any], says: str) -> None:
    data = {**baseline_answers("flux-cilium-onprem-nosharing"), **changes}
    with pytest.raises(AnswerError, match=says):
        plan(load_catalog(), "cluster-baseline", data=data)


# --- node autoscaling on-prem ---------------------------------------------------------------


def test_cluster_autoscaler_scales_the_cluster_api_node_groups_of_each_environment(
    make: Make,
) -> None:
    repo = make("argo-all-off")  # cluster-api, management cluster
    v = values(repo, "cluster-autoscaler")
    assert v["cloudProvider"] == "clusterapi"
    assert v["clusterAPIMode"] == "incluster-kubeconfig"
    assert v["autoDiscovery"] == {"clusterName": "prod-eu", "namespace": "default"}
    mount = v["extraVolumeSecrets"]["cluster-api-management-kubeconfig"]
    assert v["clusterAPICloudConfigPath"] == f"{mount['mountPath']}/{mount['items'][0]['path']}"
    objects, error = build(repo, Path("platform/configs/cluster-autoscaler"))
    assert error is None, error
    secret = named(objects, "ExternalSecret", "cluster-api-management-kubeconfig")
    assert secret["metadata"]["namespace"] == "cluster-autoscaler"
    assert secret["spec"]["target"]["name"] == mount["name"]
    assert (
        secret["spec"]["data"][0]["remoteRef"]["key"] == "prod-eu/cluster-api-management-kubeconfig"
    )
    # The platform secret store serves the namespace (a platform namespace).
    base, error = build(repo, Path("platform/base"))
    assert error is None, error
    ns = named(base, "Namespace", "cluster-autoscaler")
    assert ns["metadata"]["labels"]["scaffolder.dev/platform"] == "true"
    app = named(synced(repo, "prod"), "Application", "cluster-autoscaler")
    assert app["spec"]["sources"][0]["helm"]["valuesObject"] == {
        "autoDiscovery": {"clusterName": "prod-eu-prod"}
    }


def test_self_managed_cluster_api_needs_no_kubeconfig(make: Make) -> None:
    repo = make("flux-cilium-onprem-nosharing")  # cluster-api, self-managed
    v = values(repo, "cluster-autoscaler")
    assert v["clusterAPIMode"] == "incluster-incluster"
    assert "extraVolumeSecrets" not in v
    assert not (repo / "platform/configs/cluster-autoscaler").exists()
    config = named(synced(repo, "dev"), "ConfigMap", "cluster-autoscaler-values-env")
    assert yaml.safe_load(config["data"]["values.yaml"]) == {
        "autoDiscovery": {"clusterName": "prod-eu-dev"}
    }


def test_no_cluster_autoscaler_by_default_or_in_the_clouds(make: Make) -> None:
    for repo in (make("flux-all-off"), make("argo-all-on"), make("argo-cilium-gcp-gateway")):
        assert not (repo / "platform/releases/cluster-autoscaler").exists()


# --- backups (Velero) ------------------------------------------------------------------------


def location(repo: Path) -> dict[str, Any]:
    (bsl,) = values(repo, "velero")["configuration"]["backupStorageLocation"]
    assert isinstance(bsl, dict)
    return bsl


@pytest.mark.parametrize(
    ("name", "provider", "config", "identity"),
    [
        ("argo-all-on", "aws", {"region": "eu-west-1"}, "eks.amazonaws.com/role-arn"),
        (
            "flux-calico-gcp-mig-mixed",
            "gcp",
            {"serviceAccount": "velero@acme-platform.iam.gserviceaccount.com"},
            "iam.gke.io/gcp-service-account",
        ),
        (
            "argo-calico-azure-mig-single",
            "azure",
            {
                "useAAD": "true",
                "subscriptionId": "00000000-0000-0000-0000-000000000003",
                "resourceGroup": "rg-prod-eu-backups",
                "storageAccount": "stprodeubk",
            },
            "azure.workload.identity/client-id",
        ),
    ],
)
def test_velero_backs_up_to_the_clouds_object_storage_with_workload_identity(
    make: Make, name: str, provider: str, config: dict[str, str], identity: str
) -> None:
    repo = make(name)
    v = values(repo, "velero")
    bsl = location(repo)
    assert (bsl["provider"], bsl["bucket"], bsl["config"]) == (provider, "prod-eu-backups", config)
    assert v["credentials"] == {"useSecret": False}
    assert identity in v["serviceAccount"]["server"]["annotations"]
    plugin = {"aws": "aws", "gcp": "gcp", "azure": "microsoft-azure"}[provider]
    assert v["initContainers"][0]["image"] == f"velero/velero-plugin-for-{plugin}:v1.13.2"
    assert v["deployNodeAgent"] is True and v["configuration"]["defaultVolumesToFsBackup"] is True


def test_daily_schedule_of_the_tenant_namespaces_with_a_ttl(make: Make) -> None:
    repo = make("argo-all-on")
    objects, error = build(repo, Path("platform/configs/backups"))
    assert error is None, error
    schedule = named(objects, "Schedule", "tenants-daily")
    spec = schedule["spec"]
    assert spec["schedule"] == "0 2 * * *"
    assert spec["template"]["includedNamespaces"] == ["*"]
    excluded = set(spec["template"]["excludedNamespaces"])
    assert {"kube-system", "velero", "monitoring", "argocd"} <= excluded
    assert not excluded & {"ml-research", "inference"}
    assert spec["template"]["ttl"] == "720h0m0s"
    # Each environment's cluster under its own prefix of the bucket.
    for env in ("dev", "prod"):
        app = named(synced(repo, env), "Application", "velero")
        (bsl,) = app["spec"]["sources"][0]["helm"]["valuesObject"]["configuration"][
            "backupStorageLocation"
        ]
        assert bsl == {**location(repo), "prefix": f"prod-eu-{env}"}


def test_velero_onprem_reads_its_s3_key_from_the_secret_store(make: Make) -> None:
    repo = make("flux-cilium-onprem-nosharing")
    bsl = location(repo)
    assert bsl["config"] == {
        "region": "us-east-1",
        "s3Url": "https://minio.example.internal:9000",
        "s3ForcePathStyle": "true",
    }
    assert values(repo, "velero")["credentials"] == {"existingSecret": "velero-s3-credentials"}
    objects, error = build(repo, Path("platform/configs/backups"))
    assert error is None, error
    secret = named(objects, "ExternalSecret", "velero-s3-credentials")
    cloud = secret["spec"]["target"]["template"]["data"]["cloud"]
    assert "aws_access_key_id={{ .access_key_id }}" in cloud
    layers, error = build(repo, Path("gitops/flux"))
    assert error is None, error
    deps = named(layers, "Kustomization", "backups")["spec"]["dependsOn"]
    assert {"name": "secret-store"} in deps


def test_velero_objects_are_checked_against_the_bundled_crds(make: Make, tmp_path: Path) -> None:
    broken = tmp_path / "repo"
    shutil.copytree(make("argo-all-on"), broken)
    path = broken / "platform/configs/backups/schedule.yaml"
    path.write_text(path.read_text().replace("  schedule:", "  schedul:"))
    report = validate_repo(broken)
    assert [f for f in report.errors if "Schedule/tenants-daily" in (f.object or "")]


def test_no_backups_by_default_onprem(make: Make) -> None:
    repo = make("argo-all-off")
    assert not (repo / "platform/releases/velero").exists()
    assert not (repo / "platform/configs/backups").exists()
