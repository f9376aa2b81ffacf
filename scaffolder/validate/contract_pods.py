"""Pods inside the objects the platform contract looks at, and what Pod Security says of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scaffolder.validate.contract import Obj

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
POD_TEMPLATE_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Rollout")
# Pod Security "restricted": the volume types it allows.
RESTRICTED_VOLUMES = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)


def pod_templates(o: Obj) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """(pod template metadata, pod spec) of every pod an object makes."""

    def template(t: Any) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
        if not isinstance(t, dict) or not isinstance(t.get("spec"), dict):
            return []
        meta = t.get("metadata")
        return [(meta if isinstance(meta, dict) else {}, t["spec"])]

    spec = o.spec()
    if o.kind in POD_TEMPLATE_KINDS:
        return template(spec.get("template"))
    if o.kind == "CronJob":
        job = (spec.get("jobTemplate") or {}).get("spec") or {}
        return template(job.get("template"))
    if o.kind == "JobSet":
        out = []
        for rj in spec.get("replicatedJobs") or []:
            job = ((rj or {}).get("template") or {}).get("spec") or {}
            out += template(job.get("template"))
        return out
    if o.kind == "Pod":
        return [(o.meta, spec)]
    return []


def queued(o: Obj) -> tuple[Mapping[str, Any], str] | None:
    """(labels Kueue reads, Kueue integration) of a workload Kueue could admit, else None.

    Jobs and JobSets carry the queue label on the object; every other pod-making kind
    (Deployment, Rollout, ...) goes through Kueue's pod integration with the label on its
    pod template.
    """
    if o.kind in ("Job", "JobSet"):
        return o.labels, "batch/job" if o.kind == "Job" else "jobset.x-k8s.io/jobset"
    pods = pod_templates(o)
    if pods:
        return pods[0][0].get("labels") or {}, "pod"
    return None


def containers(pod: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [
        c
        for key in ("initContainers", "containers")
        for c in pod.get(key) or []
        if isinstance(c, dict)
    ]


def requested(pod: Mapping[str, Any]) -> set[str]:
    """Resource names the pod's containers request or limit."""
    names: set[str] = set()
    for c in containers(pod):
        for part in ("requests", "limits"):
            names |= set(((c.get("resources") or {}).get(part) or {}).keys())
    return names


def selects(selector: Any, labels: Mapping[str, str]) -> bool:
    """A Kubernetes label selector (matchLabels, matchExpressions) against labels."""
    if not isinstance(selector, dict):
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(str(key)) != str(value):
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op = str(expr.get("key")), expr.get("operator")
        values = [str(v) for v in expr.get("values") or []]
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def pod_security_problems(pod: Mapping[str, Any], level: str) -> list[str]:
    """What of the Pod Security Standards ``level`` the pod spec breaks (the common checks)."""
    if level == "privileged":
        return []
    problems = [f"{k} is true" for k in ("hostNetwork", "hostPID", "hostIPC") if pod.get(k)]
    volumes = [v for v in pod.get("volumes") or [] if isinstance(v, dict)]
    problems += [f"volume {v.get('name')} is a hostPath" for v in volumes if "hostPath" in v]
    pod_sc = pod.get("securityContext") or {}
    for c in containers(pod):
        sc = c.get("securityContext") or {}
        name = c.get("name")
        if sc.get("privileged"):
            problems.append(f"container {name} is privileged")
        if level != "restricted":
            continue
        if sc.get("allowPrivilegeEscalation") is not False:
            problems.append(f"container {name} must set allowPrivilegeEscalation: false")
        if not sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")):
            problems.append(f"container {name} must run as non-root (runAsNonRoot: true)")
        caps = sc.get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []):
            problems.append(f"container {name} must drop ALL capabilities")
        if set(caps.get("add") or []) - {"NET_BIND_SERVICE"}:
            problems.append(f"container {name} adds capabilities beyond NET_BIND_SERVICE")
        seccomp = (sc.get("seccompProfile") or pod_sc.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            problems.append(f"container {name} needs seccompProfile RuntimeDefault")
    if level == "restricted":
        for v in volumes:
            kinds = set(v) - {"name"}
            if kinds and not kinds <= RESTRICTED_VOLUMES:
                problems.append(f"volume {v.get('name')} of type {', '.join(sorted(kinds))}")
    return problems
