"""Reaper of idle GPU pods, finished Jobs and stuck Pending pods in tenant namespaces.

Runs as the CronJob gpu-reaper (platform/configs/cost). Nothing covers idle GPUs upstream:
Kubernetes' TTL-after-finished controller only cleans Jobs that set ttlSecondsAfterFinished,
and no controller reads DCGM utilisation. So this script, with the standard library only:

- reads each tenant namespace's policy: label scaffolder.dev/reaping = off | notify | delete
  (default: the cluster's), scaffolder.dev/gpu-idle-hours = N;
- asks Prometheus which pods' GPUs stayed under IDLE_THRESHOLD % utilisation for N hours
  (DCGM_FI_DEV_GPU_UTIL), and lists finished Jobs without a TTL and Pending pods past theirs;
- labels every candidate scaffolder.dev/reaper=<reason> (the showback dashboard counts them),
  records a Kubernetes Event on it (reason ReaperFlagged or Reaped) and prints one JSON line
  per decision;
- deletes only under policy delete and when DRY_RUN is false. Pods a controller recreates
  (Deployment, StatefulSet, ...) are never deleted, only reported: scale them down in Git.

Opt out per workload with the annotation scaffolder.dev/reap: "false" on the pod or Job.
"""

from __future__ import annotations

import json
import os
import ssl
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

POLICIES = ("off", "notify", "delete")
SA = "/var/run/secrets/kubernetes.io/serviceaccount"
FLAG = "scaffolder.dev/reaper"
OPT_OUT = "scaffolder.dev/reap"


@dataclass(frozen=True)
class Config:
    prometheus_url: str
    dry_run: bool
    default_policy: str
    default_idle_hours: int
    idle_threshold: float
    job_ttl_hours: int
    pending_ttl_hours: int

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Config:
        return cls(
            prometheus_url=env["PROMETHEUS_URL"].rstrip("/"),
            dry_run=env.get("DRY_RUN", "true").lower() != "false",
            default_policy=env.get("DEFAULT_POLICY", "notify"),
            default_idle_hours=int(env.get("DEFAULT_IDLE_HOURS", "4")),
            idle_threshold=float(env.get("IDLE_THRESHOLD", "5")),
            job_ttl_hours=int(env.get("JOB_TTL_HOURS", "24")),
            pending_ttl_hours=int(env.get("PENDING_TTL_HOURS", "24")),
        )


class Cluster(Protocol):
    def get(self, path: str) -> dict[str, Any]: ...
    def patch_labels(self, path: str, labels: dict[str, str]) -> None: ...
    def delete(self, path: str) -> None: ...
    def create_event(self, namespace: str, event: dict[str, Any]) -> None: ...
    def query(self, promql: str) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Decision:
    reason: str  # idle-gpu | finished | pending
    namespace: str
    kind: str  # Pod | Job
    name: str
    action: str  # delete | would-delete | notify | report-only
    detail: str


def parse_time(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def policy_of(ns: dict[str, Any], cfg: Config) -> tuple[str, int]:
    labels = ns["metadata"].get("labels") or {}
    policy = labels.get("scaffolder.dev/reaping", cfg.default_policy)
    if policy not in POLICIES:
        policy = "notify"  # an unknown value must never widen what is deleted
    try:
        hours = max(1, int(labels.get("scaffolder.dev/gpu-idle-hours", cfg.default_idle_hours)))
    except ValueError:
        hours = cfg.default_idle_hours
    return policy, hours


def opted_out(obj: dict[str, Any]) -> bool:
    return (obj["metadata"].get("annotations") or {}).get(OPT_OUT) == "false"


def idle_gpu_pods(cluster: Cluster, namespace: str, hours: int, cfg: Config) -> set[str]:
    """Pods of `namespace` whose every GPU stayed under the threshold for `hours` hours.

    dcgm-exporter puts the pod on each GPU's series; the ServiceMonitor keeps the exporter's
    own namespace/pod, so Prometheus renames the workload's to exported_namespace/_pod.
    """
    promql = (
        "max by (exported_pod) (max_over_time(DCGM_FI_DEV_GPU_UTIL"
        f'{{exported_namespace="{namespace}", exported_pod!=""}}[{hours}h]))'
        f" < {cfg.idle_threshold}"
    )
    return {r["metric"]["exported_pod"] for r in cluster.query(promql)}


def top_owner(pod: dict[str, Any]) -> tuple[str, str] | None:
    for ref in pod["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return ref["kind"], ref["name"]
    return None


def decide(policy: str, cfg: Config, deletable: bool) -> str:
    if policy == "notify" or not deletable:
        return "notify" if deletable else "report-only"
    return "would-delete" if cfg.dry_run else "delete"


def scan_namespace(
    cluster: Cluster, ns: dict[str, Any], cfg: Config, now: datetime
) -> list[Decision]:
    name = ns["metadata"]["name"]
    policy, hours = policy_of(ns, cfg)
    if policy == "off":
        return []
    out: list[Decision] = []
    pods = cluster.get(f"/api/v1/namespaces/{name}/pods")["items"]
    idle = idle_gpu_pods(cluster, name, hours, cfg)
    for pod in pods:
        meta, status = pod["metadata"], pod.get("status") or {}
        if opted_out(pod):
            continue
        started = status.get("startTime")
        if (
            meta["name"] in idle
            and status.get("phase") == "Running"
            and started
            and now - parse_time(started) >= timedelta(hours=hours)
        ):
            owner = top_owner(pod)
            if owner is None:
                out.append(
                    Decision(
                        "idle-gpu",
                        name,
                        "Pod",
                        meta["name"],
                        decide(policy, cfg, True),
                        f"GPU under {cfg.idle_threshold:g} % for {hours} h",
                    )
                )
            elif owner[0] == "Job":
                out.append(
                    Decision(
                        "idle-gpu",
                        name,
                        "Job",
                        owner[1],
                        decide(policy, cfg, True),
                        f"pod {meta['name']}: GPU under {cfg.idle_threshold:g} % for {hours} h",
                    )
                )
            else:
                out.append(
                    Decision(
                        "idle-gpu",
                        name,
                        "Pod",
                        meta["name"],
                        decide(policy, cfg, False),
                        f"GPU under {cfg.idle_threshold:g} % for {hours} h; managed by"
                        f" {owner[0]} {owner[1]}: scale it down in Git",
                    )
                )
        elif (
            status.get("phase") == "Pending"
            # Kueue holds pods it has not admitted behind a scheduling gate: waiting for quota
            # is not stuck.
            and not (pod.get("spec") or {}).get("schedulingGates")
            and now - parse_time(meta["creationTimestamp"])
            >= timedelta(hours=cfg.pending_ttl_hours)
        ):
            out.append(
                Decision(
                    "pending",
                    name,
                    "Pod",
                    meta["name"],
                    decide(policy, cfg, True),
                    f"Pending for more than {cfg.pending_ttl_hours} h",
                )
            )
    for job in cluster.get(f"/apis/batch/v1/namespaces/{name}/jobs")["items"]:
        if opted_out(job) or job.get("spec", {}).get("ttlSecondsAfterFinished") is not None:
            continue
        finished = [
            c
            for c in (job.get("status") or {}).get("conditions") or []
            if c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
        ]
        if finished and now - parse_time(finished[0]["lastTransitionTime"]) >= timedelta(
            hours=cfg.job_ttl_hours
        ):
            out.append(
                Decision(
                    "finished",
                    name,
                    "Job",
                    job["metadata"]["name"],
                    decide(policy, cfg, True),
                    f"{finished[0]['type']} more than {cfg.job_ttl_hours} h ago,"
                    " no ttlSecondsAfterFinished",
                )
            )
    return out


def path_of(d: Decision) -> str:
    if d.kind == "Job":
        return f"/apis/batch/v1/namespaces/{d.namespace}/jobs/{d.name}"
    return f"/api/v1/namespaces/{d.namespace}/pods/{d.name}"


PREFIX = {
    "delete": "",
    "would-delete": "would delete (dry run): ",
    "notify": "notify: ",
    "report-only": "report only: ",
}


def event(d: Decision, now: datetime) -> dict[str, Any]:
    """A core/v1 Event on the object, so `kubectl describe` and `get events` show the action."""
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"generateName": "gpu-reaper-", "namespace": d.namespace},
        "involvedObject": {
            "apiVersion": "batch/v1" if d.kind == "Job" else "v1",
            "kind": d.kind,
            "name": d.name,
            "namespace": d.namespace,
        },
        "reason": "Reaped" if d.action == "delete" else "ReaperFlagged",
        "message": f"{PREFIX[d.action]}{d.reason}: {d.detail}",
        "type": "Warning",
        "source": {"component": "gpu-reaper"},
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "count": 1,
    }


def act(cluster: Cluster, d: Decision, now: datetime) -> None:
    cluster.patch_labels(path_of(d), {FLAG: d.reason})
    cluster.create_event(d.namespace, event(d, now))
    if d.action == "delete":
        # Background propagation: a Job's pods go with it.
        cluster.delete(path_of(d) + "?propagationPolicy=Background")


def run(cluster: Cluster, cfg: Config, now: datetime) -> list[Decision]:
    namespaces = cluster.get("/api/v1/namespaces?labelSelector=scaffolder.dev%2Ftenant%3Dtrue")[
        "items"
    ]
    decisions: list[Decision] = []
    for ns in namespaces:
        for d in scan_namespace(cluster, ns, cfg, now):
            act(cluster, d, now)
            print(
                json.dumps({"time": now.isoformat(), "dry_run": cfg.dry_run, **d.__dict__}),
                flush=True,
            )
            decisions.append(d)
    return decisions


class InCluster:
    """The API server through the pod's service account, and Prometheus over HTTP."""

    def __init__(self, prometheus_url: str) -> None:
        self.api = "https://kubernetes.default.svc"
        self.prometheus_url = prometheus_url
        self.ctx = ssl.create_default_context(cafile=f"{SA}/ca.crt")
        with open(f"{SA}/token", encoding="utf-8") as f:
            self.token = f.read().strip()

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        ctype: str = "application/json",
    ) -> dict[str, Any]:
        req = urllib.request.Request(
            self.api + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": ctype},
        )
        with urllib.request.urlopen(req, context=self.ctx, timeout=30) as resp:
            result: dict[str, Any] = json.load(resp)
            return result

    def get(self, path: str) -> dict[str, Any]:
        return self._call("GET", path)

    def patch_labels(self, path: str, labels: dict[str, str]) -> None:
        self._call("PATCH", path, {"metadata": {"labels": labels}}, "application/merge-patch+json")

    def delete(self, path: str) -> None:
        self._call("DELETE", path)

    def create_event(self, namespace: str, event: dict[str, Any]) -> None:
        self._call("POST", f"/api/v1/namespaces/{namespace}/events", event)

    def query(self, promql: str) -> list[dict[str, Any]]:
        url = f"{self.prometheus_url}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        with urllib.request.urlopen(url, timeout=60) as resp:
            data = json.load(resp)
        result: list[dict[str, Any]] = data["data"]["result"]
        return result


def main() -> int:
    cfg = Config.from_env(dict(os.environ))
    decisions = run(InCluster(cfg.prometheus_url), cfg, datetime.now(UTC))
    print(json.dumps({"summary": len(decisions), "dry_run": cfg.dry_run}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
