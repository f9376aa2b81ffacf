"""End to end: the platform contract (`validate --platform`). Every baseline combination of
the pairwise matrix, each with the service golden paths made for one of its teams, answered
to fit the cluster (GPU mode from the GPU sharing, canary where Rollouts run): zero findings
where the golden path's requirements are met, and exactly the named unmet dependencies where
they are not. Then one broken baseline per contract rule, which must produce its finding."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from scaffolder.catalog import load_catalog
from scaffolder.generate import generate, plan
from scaffolder.validate.contract import Obj, Side, check_sides, load_platform, load_side
from tests.e2e.test_baselines import CILIUM, GCP, MATRIX
from tests.helpers import run_cli

pytestmark = pytest.mark.e2e

BASELINES: dict[str, dict[str, Any]] = {
    **MATRIX,
    # Cilium's Gateway API: traffic reaches pods with Cilium's reserved `ingress` identity.
    "argo-cilium-gcp-gateway": {
        "gitops_engine": "argocd",
        **CILIUM,
        **GCP,
        "ingress": "gateway-cilium",
        "gke_cluster_ipv4_cidr": "10.4.0.0/14",
        "gpu": True,
        "gpu_sharing": "time-slicing",
    },
}
EFS = {"efs_file_system_id": "fs-0123456789abcdef0"}
SERVING_TEAM, TRAINING_TEAM = "inference", "ml-research"  # the baseline's default teams


def baseline_answers(name: str) -> dict[str, Any]:
    answers = {"cluster_name": "prod-eu", **BASELINES[name]}
    return {**answers, **EFS} if answers.get("provider") == "aws" else answers


def variants(b: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each service golden path, answered for a team of the baseline ``b``."""
    observability = b.get("observability", True)
    kueue = b.get("kueue", True)
    rollouts = b.get("ingress", "gateway-envoy") != "ingress-nginx"
    gpu, sharing = b.get("gpu", False), b.get("gpu_sharing", "none")
    envs = b.get("environments", ["dev", "stage", "prod"])
    profile = b.get("mig_profile", "1g.10gb")
    mig = gpu and sharing == "mig-mixed"
    inference: dict[str, Any] = {"gpu_count": 1 if gpu else 0, "canary": rollouts}
    if mig:
        inference |= {"gpu_mode": "mig", "mig_profile": profile}
    elif sharing == "time-slicing":
        inference |= {"gpu_mode": "time-sliced"}
    common = {"environments": envs}
    gpu_answers = {"gpu_count": 1 if gpu else 0}
    if mig:
        gpu_answers["gpu_resource"] = f"nvidia.com/mig-{profile}"
    return {
        "service-canary": (
            "service",
            {
                **common,
                "name": "payments",
                "owner": SERVING_TEAM,
                "tier": "standard",
                "monitoring": observability,
                "canary": rollouts and observability,
                "secret_keys": ["DATABASE_URL"],
            },
        ),
        "service-plain": (
            "service",
            {
                **common,
                "name": "web",
                "owner": SERVING_TEAM,
                "tier": "critical",
                "monitoring": observability,
                "secret_keys": [],
            },
        ),
        "inference": (
            "inference-service",
            {
                **common,
                **inference,
                "name": "chat-llm",
                "owner": SERVING_TEAM,
                # The team's serving queue (its reserved GPUs on the serving pool).
                "queue_name": ("serving-queue" if gpu else f"{SERVING_TEAM}-queue")
                if kueue
                else "",
            },
        ),
        "training-job": (
            "training-job",
            {**common, **gpu_answers, "name": "churn-model", "owner": TRAINING_TEAM},
        ),
        "training-jobset": (
            "training-job",
            {
                **common,
                **gpu_answers,
                "name": "pretrain",
                "owner": TRAINING_TEAM,
                "workload": "jobset",
                "workers": 2,
            },
        ),
    }


def expected_findings(b: dict[str, Any]) -> dict[str, set[str]]:
    """What a baseline without some component cannot give a golden path (by design)."""
    out: dict[str, set[str]] = {}
    if not b.get("observability", True):
        # inference-service needs Prometheus (ServiceMonitor, SLO rules) and the custom
        # metric its HPA scales on.
        out["inference"] = {"contract/api", "contract/metrics"}
    if not b.get("kueue", True):
        # training-job is a Kueue workload: no LocalQueue, no Kueue integration.
        out["training-job"] = {"contract/kueue"}
        out["training-jobset"] = {"contract/kueue", "contract/api"}
    return out


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, dict[str, Any]], Side]:
    """Generate and build a service repo once per distinct answers (baselines share them)."""
    cache: dict[str, Side] = {}

    def make(golden_path: str, answers: dict[str, Any]) -> Side:
        key = json.dumps([golden_path, answers], sort_keys=True)
        if key not in cache:
            dest = tmp_path_factory.mktemp(golden_path) / answers["name"]
            generate(plan(load_catalog(), golden_path, data=answers), dest, git=False)
            cache[key] = load_side(dest, (), per_environment=True)
        return cache[key]

    return make


@pytest.fixture(scope="module", params=sorted(BASELINES))
def baseline(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    dest = tmp_path_factory.mktemp(request.param) / "baseline"
    data = baseline_answers(request.param)
    generate(plan(load_catalog(), "cluster-baseline", data=data), dest, git=False)
    return request.param, dest


def findings(service: Side, platform: Side) -> list[str]:
    return [f"{f.check} {f.file}: {f.object}: {f.message}" for f in check_sides(service, platform)]


def test_every_golden_path_fits_the_baseline(
    baseline: tuple[str, Path], made: Callable[[str, dict[str, Any]], Side]
) -> None:
    name, path = baseline
    answers = baseline_answers(name)
    platform = load_platform(path.resolve())
    assert not platform.problems
    expected = expected_findings(answers)
    got: dict[str, set[str]] = {}
    details: dict[str, list[str]] = {}
    for variant, (golden_path, service_answers) in variants(answers).items():
        service = made(golden_path, service_answers)
        assert not service.problems
        result = list(check_sides(service, platform))
        if result:
            got[variant] = {f.check for f in result}
            details[variant] = findings(service, platform)
    assert got == expected, details


def test_cli_validate_platform_passes_and_names_both_sides(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    b = baseline_answers("argo-all-on")
    base = tmp_path / "baseline"
    generate(plan(load_catalog(), "cluster-baseline", data=b), base, git=False)
    golden_path, answers = variants(b)["inference"]
    repo = tmp_path / "svc"
    generate(plan(load_catalog(), golden_path, data=answers), repo, git=False)
    r = run_cli(capsys, "validate", repo, "--platform", base, "--format", "json")
    assert r.code == 0, r.out
    report = json.loads(r.out)
    assert report["ok"] and report["checked"]["contract-environments"] == 3
    # Break the baseline on disk: the team's LocalQueue is gone.
    (base / "tenants" / SERVING_TEAM / "localqueue.yaml").unlink()  # the cache sees it
    r = run_cli(capsys, "validate", repo, "--platform", base, "--format", "json")
    assert r.code == 2
    (f,) = {(f["check"], f["file"], f["peer"]) for f in json.loads(r.out)["findings"]}
    assert f[0] == "contract/kueue" and f[1] == "deploy/base/workload.yaml"
    assert f"{SERVING_TEAM}/serving-queue" not in f[2]


# --- one broken baseline per rule -----------------------------------------------------------

Break = Callable[[Side], Side]


def without(kind: str, name: str) -> Break:
    def apply(side: Side) -> Side:
        objects = {
            env: [o for o in objs if (o.kind, o.name) != (kind, name)]
            for env, objs in side.objects.items()
        }
        return replace(side, objects=objects)

    return apply


def provides(**values: Any) -> Break:
    def apply(side: Side) -> Side:
        contract = copy.deepcopy(dict(side.contract))
        contract["provides"] = {**contract["provides"], **values}
        return replace(side, contract=contract)

    return apply


def edit(kind: str, name: str, change: Callable[[dict[str, Any]], None]) -> Break:
    def apply(side: Side) -> Side:
        def fix(o: Obj) -> Obj:
            if (o.kind, o.name) != (kind, name):
                return o
            doc = copy.deepcopy(dict(o.doc))
            change(doc)
            return Obj(o.file, doc)

        return replace(side, objects={e: [fix(o) for o in v] for e, v in side.objects.items()})

    return apply


def _same_namespace_only(doc: dict[str, Any]) -> None:
    for listener in doc["spec"]["listeners"]:
        listener["allowedRoutes"] = {"namespaces": {"from": "Same"}}


def _no_ingress_label(doc: dict[str, Any]) -> None:
    del doc["metadata"]["labels"]["scaffolder.dev/ingress"]


def _charged_to_another_team(doc: dict[str, Any]) -> None:
    doc["metadata"]["labels"]["team"] = TRAINING_TEAM


def _other_team_only(doc: dict[str, Any]) -> None:
    doc["spec"]["conditions"] = [{"namespaces": [TRAINING_TEAM]}]


def _no_gpu_group(doc: dict[str, Any]) -> None:
    doc["spec"]["resourceGroups"] = doc["spec"]["resourceGroups"][:1]


def _gpu_flavors(*names: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        group = doc["spec"]["resourceGroups"][1]
        template = group["flavors"][0]
        group["flavors"] = [{**copy.deepcopy(template), "name": n} for n in names]

    return change


def _to_cluster_queue(name: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["spec"]["clusterQueue"] = name

    return change


def _block_storage_only(doc: dict[str, Any]) -> None:
    del doc["metadata"]["annotations"]["scaffolder.dev/access-modes"]


# (baseline of BASELINES, service variant, break, rule id that must report it)
BROKEN: dict[str, tuple[str, str, Break, str]] = {
    "api": ("argo-all-on", "service-canary", provides(apis={}), "contract/api"),
    "namespace": (
        "argo-all-on",
        "service-plain",
        without("Namespace", SERVING_TEAM),
        "contract/namespace",
    ),
    "priority-class": (
        "argo-all-on",
        "service-plain",
        without("PriorityClass", "tier-critical"),
        "contract/priority-class",
    ),
    "gateway-missing": (
        "argo-all-on",
        "service-plain",
        without("Gateway", "shared-gateway"),
        "contract/gateway",
    ),
    "gateway-listener": (
        "argo-all-on",
        "inference",
        edit("Gateway", "shared-gateway", _same_namespace_only),
        "contract/gateway",
    ),
    "network-policy": (
        "argo-all-on",
        "inference",
        edit("Namespace", "envoy-gateway-system", _no_ingress_label),
        "contract/network-policy",
    ),
    "cilium-ingress-identity": (
        "argo-cilium-gcp-gateway",
        "service-plain",
        without("CiliumClusterwideNetworkPolicy", "gateway-ingress-to-tenants"),
        "contract/network-policy",
    ),
    "local-queue": (
        "argo-all-on",
        "training-job",
        without("LocalQueue", f"{TRAINING_TEAM}-queue"),
        "contract/kueue",
    ),
    "queue-coverage": (
        "argo-all-on",
        "inference",
        edit("ClusterQueue", f"{SERVING_TEAM}-serving", _no_gpu_group),
        "contract/kueue",
    ),
    # Serving and training GPU pools (issue 20): a training job whose queue counts GPUs only
    # on the serving flavor, serving pods queued on the training ClusterQueue, and a training
    # queue that also lists the serving flavor.
    "gpu-pool-training": (
        "argo-all-on",
        "training-job",
        edit("ClusterQueue", TRAINING_TEAM, _gpu_flavors("gpu-serving")),
        "contract/gpu-pool",
    ),
    "gpu-pool-serving": (
        "argo-all-on",
        "inference",
        edit("LocalQueue", "serving-queue", _to_cluster_queue(SERVING_TEAM)),
        "contract/gpu-pool",
    ),
    "gpu-pool-shared": (
        "argo-all-on",
        "training-jobset",
        edit("ClusterQueue", TRAINING_TEAM, _gpu_flavors("gpu-training", "gpu-serving")),
        "contract/gpu-pool",
    ),
    "kueue-integration": (
        "argo-all-on",
        "training-jobset",
        provides(kueue_integrations=["batch/job"]),
        "contract/kueue",
    ),
    "workload-priority": (
        "argo-all-on",
        "training-job",
        without("WorkloadPriorityClass", "training-preemptible"),
        "contract/kueue",
    ),
    "secret-store-missing": (
        "argo-all-on",
        "service-canary",
        without("ClusterSecretStore", f"{SERVING_TEAM}-secrets"),
        "contract/secret-store",
    ),
    "secret-store-conditions": (
        "argo-all-on",
        "service-canary",
        edit("ClusterSecretStore", f"{SERVING_TEAM}-secrets", _other_team_only),
        "contract/secret-store",
    ),
    "resource-metrics": (
        "argo-all-on",
        "service-plain",
        provides(resource_metrics=False),
        "contract/metrics",
    ),
    "custom-metrics": ("argo-all-on", "inference", provides(custom_metrics=[]), "contract/metrics"),
    "prometheus": ("argo-all-on", "service-canary", provides(prometheus=""), "contract/metrics"),
    # Platform namespaces deny ingress by default (1.2.0): Prometheus admits the Rollouts
    # controller, whose analyses query it.
    "prometheus-network-policy": (
        "argo-all-on",
        "service-canary",
        without("NetworkPolicy", "allow-from-argo-rollouts"),
        "contract/metrics",
    ),
    "rollouts-plugin": (
        "argo-all-on",
        "inference",
        provides(rollouts_plugins=[]),
        "contract/rollouts",
    ),
    "storage-class": (
        "argo-all-on",
        "training-jobset",
        without("StorageClass", "shared-rwx"),
        "contract/storage",
    ),
    "storage-access-mode": (
        "argo-all-on",
        "training-jobset",
        edit("StorageClass", "shared-rwx", _block_storage_only),
        "contract/storage",
    ),
    "gpu-resource": (
        "flux-all-on",
        "inference",
        provides(gpu_resources=["nvidia.com/gpu"]),
        "contract/gpu",
    ),
    "kubernetes-version": (
        "argo-all-on",
        "service-plain",
        lambda side: replace(side, kubernetes="1.34.0"),
        "contract/kubernetes-version",
    ),
    "time-slicing": ("argo-all-on", "inference", provides(time_slicing_replicas=8), "contract/gpu"),
    # Showback charges a namespace to its team label: pods labelled for another team.
    "showback-team": (
        "argo-all-on",
        "inference",
        edit("Namespace", SERVING_TEAM, _charged_to_another_team),
        "contract/showback",
    ),
}


@pytest.fixture(scope="module")
def platforms(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Side]:
    cache: dict[str, Side] = {}

    def get(name: str) -> Side:
        if name not in cache:
            dest = tmp_path_factory.mktemp(name) / "baseline"
            generate(
                plan(load_catalog(), "cluster-baseline", data=baseline_answers(name)),
                dest,
                git=False,
            )
            cache[name] = load_platform(dest.resolve())
        return cache[name]

    return get


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_baseline_is_reported(
    case: str,
    platforms: Callable[[str], Side],
    made: Callable[[str, dict[str, Any]], Side],
) -> None:
    name, variant, brk, rule_id = BROKEN[case]
    platform = platforms(name)
    golden_path, answers = variants(baseline_answers(name))[variant]
    service = made(golden_path, answers)
    assert not list(check_sides(service, platform)), "fits before it is broken"
    broken = list(check_sides(service, brk(platform)))
    assert broken and {f.check for f in broken} == {rule_id}, [f.message for f in broken]
    assert all(f.peer and f.object for f in broken), "both sides are named"


def test_an_environment_without_a_cluster_is_reported(
    platforms: Callable[[str], Side], made: Callable[[str, dict[str, Any]], Side]
) -> None:
    platform = platforms("argo-all-off")  # only prod
    golden_path, answers = variants(baseline_answers("argo-all-on"))["service-plain"]
    service = made(golden_path, {**answers, "monitoring": False})
    result = {(f.check, f.file) for f in check_sides(service, platform)}
    assert result == {
        ("contract/environment", f"deploy/overlays/{env}/kustomization.yaml")
        for env in ("dev", "stage")
    }
