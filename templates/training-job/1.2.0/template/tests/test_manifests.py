"""The Kubernetes manifests keep the golden path's rules: Kueue, GPUs, checkpoints, security."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from manifests import DEPLOY, EXPECTED, kustomization_objects, load_documents

NAME = EXPECTED["name"]


@pytest.fixture(scope="module")
def base() -> dict[tuple[str, str], dict[str, Any]]:
    return kustomization_objects(DEPLOY / "base")


@pytest.fixture(scope="module")
def workload(base: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    return base[(EXPECTED["kind"], NAME)]


@pytest.fixture(scope="module")
def job_specs(workload: dict[str, Any]) -> list[dict[str, Any]]:
    """The batch/v1 Job spec(s): the Job's own, or each replicated job's of the JobSet."""
    if workload["kind"] == "JobSet":
        return [rj["template"]["spec"] for rj in workload["spec"]["replicatedJobs"]]
    return [workload["spec"]]


@pytest.fixture(scope="module")
def containers(job_specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for spec in job_specs for c in spec["template"]["spec"]["containers"]]


def test_workload_waits_for_kueue(workload: dict[str, Any]) -> None:
    labels = workload["metadata"]["labels"]
    assert labels["kueue.x-k8s.io/queue-name"] == EXPECTED["queue_name"]
    assert labels["kueue.x-k8s.io/priority-class"] == EXPECTED["priority_class"]
    assert workload["spec"]["suspend"] is True


def test_pods_rank_below_serving(job_specs: list[dict[str, Any]]) -> None:
    """Serving pods evict training for GPUs, never the reverse (the job resumes)."""
    for spec in job_specs:
        pod = spec["template"]["spec"]
        assert pod.get("priorityClassName", "") == EXPECTED["pod_priority_class"]


def test_workers_run_as_one_indexed_job(job_specs: list[dict[str, Any]]) -> None:
    workers = sum(spec["parallelism"] for spec in job_specs)
    assert workers == EXPECTED["workers"]
    for spec in job_specs:
        assert spec["completions"] == spec["parallelism"]
        assert spec["completionMode"] == "Indexed"


def test_retries_and_cleanup(workload: dict[str, Any], job_specs: list[dict[str, Any]]) -> None:
    assert workload["spec"]["ttlSecondsAfterFinished"] == EXPECTED["ttl_seconds_after_finished"]
    if workload["kind"] == "JobSet":
        # The set restarts as a whole; a failed worker fails its job at once.
        assert workload["spec"]["failurePolicy"]["maxRestarts"] == EXPECTED["backoff_limit"]
        assert all(spec["backoffLimit"] == 0 for spec in job_specs)
    else:
        assert job_specs[0]["backoffLimit"] == EXPECTED["backoff_limit"]


def test_disruptions_do_not_count_as_failures(job_specs: list[dict[str, Any]]) -> None:
    for spec in job_specs:
        rules = spec["podFailurePolicy"]["rules"]
        ignore = [r for r in rules if r["action"] == "Ignore"]
        assert {"type": "DisruptionTarget", "status": "True"} in ignore[0]["onPodConditions"]
        assert spec["template"]["spec"]["restartPolicy"] == "Never"
        assert spec["podReplacementPolicy"] == "Failed"


def test_invalid_configuration_fails_fast(job_specs: list[dict[str, Any]]) -> None:
    for spec in job_specs:
        fail = [r for r in spec["podFailurePolicy"]["rules"] if r["action"] == "FailJob"]
        assert fail[0]["onExitCodes"] == {"containerName": "train", "operator": "In", "values": [2]}


def test_gpu_requests_equal_limits(containers: list[dict[str, Any]]) -> None:
    for container in containers:
        requests = container["resources"]["requests"]
        limits = container["resources"]["limits"]
        gpus = {k for k in {**requests, **limits} if k.startswith("nvidia.com/")}
        for key in gpus:
            assert str(requests.get(key)) == str(limits.get(key)), key
        if EXPECTED["gpu_count"]:
            assert int(limits[EXPECTED["gpu_resource"]]) == EXPECTED["gpu_count"]
        else:
            assert gpus == set()
        assert {"cpu", "memory"} <= requests.keys(), "Kueue needs complete requests"


def test_gpu_pods_tolerate_gpu_nodes(job_specs: list[dict[str, Any]]) -> None:
    toleration = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
    for spec in job_specs:
        pod = spec["template"]["spec"]
        if EXPECTED["gpu_count"]:
            assert toleration in pod["tolerations"]
            assert "nodeAffinity" in pod["affinity"]
        else:
            assert "tolerations" not in pod
            assert "affinity" not in pod


def test_checkpoints_live_on_the_claim(
    base: dict[tuple[str, str], dict[str, Any]], job_specs: list[dict[str, Any]]
) -> None:
    claim = base[("PersistentVolumeClaim", f"{NAME}-checkpoints")]
    expected_mode = "ReadWriteMany" if EXPECTED["workers"] > 1 else "ReadWriteOnce"
    assert claim["spec"]["accessModes"] == [expected_mode]
    for spec in job_specs:
        pod = spec["template"]["spec"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert volumes["checkpoints"]["persistentVolumeClaim"]["claimName"] == f"{NAME}-checkpoints"
        for container in pod["containers"]:
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts["/checkpoints"] == "checkpoints"
            env = {e["name"]: e.get("value") for e in container["env"]}
            assert env["CHECKPOINT_DIR"] == "/checkpoints"
            assert env["WORLD_SIZE"] == str(EXPECTED["workers"])


def test_security_context_is_restricted(job_specs: list[dict[str, Any]]) -> None:
    for spec in job_specs:
        pod = spec["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["readOnlyRootFilesystem"] is True
            assert context["capabilities"] == {"drop": ["ALL"]}


def test_pods_carry_team_and_cost_labels(job_specs: list[dict[str, Any]]) -> None:
    (kustomization,) = load_documents(DEPLOY / "base" / "kustomization.yaml")
    pairs = kustomization["labels"][0]["pairs"]
    assert {"team", "cost-center"} <= pairs.keys()
    if EXPECTED["kind"] == "JobSet":  # kustomize cannot reach a JobSet's pod templates
        for spec in job_specs:
            labels = spec["template"]["metadata"]["labels"]
            assert {k: labels.get(k) for k in pairs} == pairs


def test_priority_class_is_defined_when_managed() -> None:
    cluster = DEPLOY / "cluster"
    if not EXPECTED["manage_priority_class"]:
        assert not cluster.exists()
        return
    (priority,) = kustomization_objects(cluster).values()
    assert priority["kind"] == "WorkloadPriorityClass"
    assert priority["apiVersion"] == "kueue.x-k8s.io/v1beta2"
    assert priority["metadata"]["name"] == EXPECTED["priority_class"]
    assert isinstance(priority["value"], int)


def test_one_overlay_per_environment() -> None:
    overlays = DEPLOY / "overlays"
    assert sorted(p.name for p in overlays.iterdir()) == sorted(EXPECTED["environments"])


@pytest.mark.parametrize("environment", EXPECTED["environments"])
def test_overlay_builds_on_the_base(
    environment: str, base: dict[tuple[str, str], dict[str, Any]]
) -> None:
    (overlay,) = load_documents(DEPLOY / "overlays" / environment / "kustomization.yaml")
    expected = ["../../base"] + (["../../cluster"] if EXPECTED["manage_priority_class"] else [])
    assert overlay["resources"] == expected
    assert {"environment": environment} in [entry["pairs"] for entry in overlay["labels"]]
    for patch in overlay.get("patches", []):
        target = patch["target"]
        assert (target["kind"], target["name"]) in base, f"patch target {target} missing"


def test_every_yaml_file_parses() -> None:
    for path in sorted(Path(DEPLOY).rglob("*.yaml")):
        assert load_documents(path), f"{path} is empty"
