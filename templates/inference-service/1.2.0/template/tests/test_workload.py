"""The model server's pod: GPUs, scheduling, probes, security and volumes."""

from __future__ import annotations

from typing import Any

from manifests import EXPECTED, of_kind

GPU_PREFIX = "nvidia.com/"


def test_workload_kind_follows_the_rollout_strategy(workload: dict[str, Any]) -> None:
    if EXPECTED["canary"]:
        assert workload["apiVersion"] == "argoproj.io/v1alpha1"
        assert "canary" in workload["spec"]["strategy"]
    else:
        assert workload["apiVersion"] == "apps/v1"
        assert workload["spec"]["strategy"]["type"] == "RollingUpdate"
    # The autoscaler owns the replica count.
    assert "replicas" not in workload["spec"]


def test_gpu_requests_equal_limits(pod_spec: dict[str, Any]) -> None:
    for container in pod_spec["containers"] + pod_spec.get("initContainers", []):
        resources = container.get("resources", {})
        requests, limits = resources.get("requests", {}), resources.get("limits", {})
        gpu_keys = {k for k in {**requests, **limits} if k.startswith(GPU_PREFIX)}
        for key in gpu_keys:
            assert str(requests.get(key)) == str(limits.get(key)), (
                f"{container['name']}: {key} request {requests.get(key)} != limit {limits.get(key)}"
            )


def test_gpu_resource_matches_the_gpu_mode(server: dict[str, Any]) -> None:
    limits = server["resources"]["limits"]
    gpu_keys = sorted(k for k in limits if k.startswith(GPU_PREFIX))
    if EXPECTED["gpu_resource"] is None:
        assert gpu_keys == [], "a CPU-only deployment must not request GPUs"
    else:
        assert gpu_keys == [EXPECTED["gpu_resource"]]
        assert int(limits[EXPECTED["gpu_resource"]]) == EXPECTED["gpu_count"]


def test_gpu_pods_tolerate_and_select_gpu_nodes(pod_spec: dict[str, Any]) -> None:
    tolerations = pod_spec.get("tolerations", [])
    gpu_toleration = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
    if EXPECTED["gpu_resource"] is None:
        assert gpu_toleration not in tolerations
        assert "affinity" not in pod_spec
        return
    assert gpu_toleration in tolerations
    terms = pod_spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"
    ]
    assert terms, "GPU pods need a required node affinity"
    for term in terms:
        expressions = {e["key"]: e for e in term["matchExpressions"]}
        assert expressions["nvidia.com/gpu.present"]["values"] == ["true"]
        mode = EXPECTED["gpu_mode"]
        if mode == "whole":
            sharing = expressions["nvidia.com/gpu.sharing-strategy"]
            assert sharing["operator"] == "NotIn"
            assert "time-slicing" in sharing["values"]
        elif mode == "time-sliced":
            sharing = expressions["nvidia.com/gpu.sharing-strategy"]
            assert (sharing["operator"], sharing["values"]) == ("In", ["time-slicing"])
        else:
            strategy = expressions["nvidia.com/mig.strategy"]
            assert (strategy["operator"], strategy["values"]) == ("In", ["mixed"])


def test_tensor_parallel_size_uses_every_gpu(server: dict[str, Any]) -> None:
    args = server["args"]
    parallel = [a for a in args if a.startswith("--tensor-parallel-size=")]
    if EXPECTED["gpu_mode"] == "whole" and EXPECTED["gpu_count"] > 0:
        assert parallel == [f"--tensor-parallel-size={EXPECTED['gpu_count']}"]
    else:
        assert parallel == []


def test_server_listens_on_the_named_port(server: dict[str, Any]) -> None:
    assert f"--port={EXPECTED['port']}" in server["args"]
    ports = {p["name"]: p["containerPort"] for p in server["ports"]}
    assert ports == {"http": EXPECTED["port"]}


def test_probes_wait_for_the_model_to_load(server: dict[str, Any]) -> None:
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert probe in server, f"{probe} is missing"
        assert server[probe]["httpGet"] == {"path": "/health", "port": "http"}
    startup = server["startupProbe"]
    # Downloading and loading a model takes minutes: allow at least 15 before liveness acts.
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 900
    liveness = server["livenessProbe"]
    assert liveness["periodSeconds"] * liveness["failureThreshold"] >= 60


def test_security_context_is_restricted(pod_spec: dict[str, Any]) -> None:
    pod = pod_spec["securityContext"]
    assert pod["runAsNonRoot"] is True
    assert pod["runAsUser"] > 0
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod_spec["automountServiceAccountToken"] is False
    for container in pod_spec["containers"]:
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        assert "add" not in context["capabilities"]
        assert context.get("privileged", False) is False
        assert context["readOnlyRootFilesystem"] is True


def test_writable_paths_are_mounted_volumes(
    pod_spec: dict[str, Any], server: dict[str, Any]
) -> None:
    mounts = {m["mountPath"]: m["name"] for m in server["volumeMounts"]}
    volumes = {v["name"]: v for v in pod_spec["volumes"]}
    assert set(mounts.values()) <= volumes.keys()
    env = {e["name"]: e.get("value") for e in server["env"]}
    for variable in ("HOME", "HF_HOME", "VLLM_CACHE_ROOT", "XDG_CACHE_HOME", "TRITON_CACHE_DIR"):
        path = env[variable]
        assert any(path == m or path.startswith(m.rstrip("/") + "/") for m in mounts), (
            f"{variable}={path} is not on a mounted volume; the root filesystem is read-only"
        )


def test_model_cache_is_bounded(pod_spec: dict[str, Any], server: dict[str, Any]) -> None:
    volumes = {v["name"]: v for v in pod_spec["volumes"]}
    cache = volumes["model-cache"]
    assert "persistentVolumeClaim" in cache or cache["emptyDir"].get("sizeLimit"), (
        "the model cache must be a PVC or an emptyDir with a sizeLimit"
    )
    if "emptyDir" in cache:
        requested = server["resources"]["requests"]["ephemeral-storage"]
        assert requested == cache["emptyDir"]["sizeLimit"]
    assert volumes["dshm"]["emptyDir"]["medium"] == "Memory"


def test_serving_uses_the_platforms_priority_class(
    base_objects: dict[tuple[str, str], dict[str, Any]], pod_spec: dict[str, Any]
) -> None:
    # PriorityClasses are cluster-wide and owned by the cluster baseline (one GitOps owner);
    # `scaffolder validate --platform` proves the class exists on the cluster.
    assert not of_kind(base_objects, "PriorityClass")
    assert pod_spec["priorityClassName"] == EXPECTED["priority_class"]


def test_vllm_runs_without_a_passwd_entry(server: dict[str, Any]) -> None:
    env = {e["name"]: e.get("value") for e in server["env"]}
    assert env["USER"], "PyTorch's getpass.getuser() needs USER for a UID without passwd entry"
    assert env["TORCHINDUCTOR_CACHE_DIR"].startswith("/models/")
