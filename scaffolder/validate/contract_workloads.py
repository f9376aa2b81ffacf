"""Contract rules about workloads: Kueue admission, secret stores, metrics, canary plugins,
storage and GPUs (registered into :data:`scaffolder.validate.contract_rules.RULES`)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from scaffolder.validate.contract import Obj, Pair
from scaffolder.validate.contract_pods import (
    QUEUE_LABEL,
    pod_templates,
    queued,
    requested,
    selects,
)
from scaffolder.validate.contract_rules import admits, contract_ref, finding, rule
from scaffolder.validate.findings import Finding

ACCESS_MODES = "scaffolder.dev/access-modes"
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"


@rule("kueue")
def kueue(pair: Pair) -> Iterator[Finding]:
    """Queued workloads find their LocalQueue, a ClusterQueue covering their resources,
    their WorkloadPriorityClass, and a Kueue integration that manages their kind."""
    queues = {(o.namespace, o.name): o for o in pair.of_kind("LocalQueue", platform=True)}
    queues |= {(o.namespace, o.name): o for o in pair.of_kind("LocalQueue")}
    cluster_queues = {o.name: o for o in pair.of_kind("ClusterQueue", platform=True)}
    priorities = {o.name for o in pair.of_kind("WorkloadPriorityClass", platform=True)}
    priorities |= {o.name for o in pair.of_kind("WorkloadPriorityClass")}
    integrations = pair.provides.get("kueue_integrations") or []
    excluded = pair.provides.get("kueue_excluded_resources") or []
    for o in pair.service:
        pods = pod_templates(o)
        found = queued(o)
        if found is None:
            continue
        labels, integration = found
        queue = labels.get(QUEUE_LABEL)
        if not queue:
            continue
        if integration not in integrations:
            yield finding(
                o,
                f"Kueue on the cluster does not manage {o.kind}s (integration"
                f" {integration!r} not enabled): the workload runs unadmitted or never starts",
                contract_ref(pair, "kueue_integrations"),
                "metadata.labels",
            )
        local = queues.get((o.namespace, queue))
        if local is None:
            yield finding(
                o,
                f"LocalQueue {queue!r} does not exist in namespace {o.namespace}",
                f"platform: LocalQueues {sorted(f'{n}/{q}' for n, q in queues) or 'none'}",
                "metadata.labels.kueue.x-k8s.io/queue-name",
            )
        else:
            yield from _covered(o, pods, local, cluster_queues, excluded)
        priority = labels.get("kueue.x-k8s.io/priority-class")
        if priority and priority not in priorities:
            yield finding(
                o,
                f"WorkloadPriorityClass {priority!r} does not exist on the cluster",
                f"platform: WorkloadPriorityClasses {sorted(priorities) or 'none'}",
                "metadata.labels.kueue.x-k8s.io/priority-class",
            )


def _covered(
    o: Obj,
    pods: list[tuple[Mapping[str, Any], Mapping[str, Any]]],
    local: Obj,
    cluster_queues: Mapping[str, Obj],
    excluded: list[str],
) -> Iterator[Finding]:
    target = str(local.spec().get("clusterQueue"))
    cq = cluster_queues.get(target)
    if cq is None:
        yield finding(
            o,
            f"LocalQueue {local.name} points at ClusterQueue {target!r}, which does not exist",
            local.where(),
        )
        return
    covered = {
        str(r)
        for group in cq.spec().get("resourceGroups") or []
        for r in group.get("coveredResources") or []
    }
    wanted = set().union(*(requested(pod) for _m, pod in pods)) if pods else set()
    missing = sorted(r for r in wanted - covered if not any(r.startswith(p) for p in excluded))
    if missing:
        yield finding(
            o,
            f"ClusterQueue {cq.name} does not cover {', '.join(missing)}: Kueue never admits"
            f" a workload that requests a resource its queue does not cover",
            cq.where(),
            "spec.template.spec.containers.resources",
        )


@rule("secret-store")
def secret_store(pair: Pair) -> Iterator[Finding]:
    stores = {o.name: o for o in pair.of_kind("ClusterSecretStore", platform=True)}
    for o in pair.of_kind("ExternalSecret"):
        ref = o.spec().get("secretStoreRef") or {}
        if ref.get("kind", "SecretStore") != "ClusterSecretStore":
            continue
        name = str(ref.get("name"))
        store = stores.get(name)
        if store is None:
            yield finding(
                o,
                f"ClusterSecretStore {name!r} does not exist on the cluster"
                f" (stores: {', '.join(sorted(stores)) or 'none'})",
                "platform: no ClusterSecretStore " + name,
                "spec.secretStoreRef.name",
            )
        elif not _store_admits(pair, store, o.namespace or ""):
            yield finding(
                o,
                f"ClusterSecretStore {name} does not serve namespace {o.namespace}"
                f" (its conditions)",
                store.where(),
                "spec.secretStoreRef.name",
            )


def _store_admits(pair: Pair, store: Obj, ns: str) -> bool:
    conditions = store.spec().get("conditions")
    if not conditions:
        return True
    labels = pair.namespace_labels(ns)
    for c in conditions:
        if ns in (c.get("namespaces") or []):
            return True
        if "namespaceSelector" in c and selects(c["namespaceSelector"], labels):
            return True
        if any(re.fullmatch(str(r), ns) for r in c.get("namespaceRegexes") or []):
            return True
    return False


@rule("metrics")
def metrics(pair: Pair) -> Iterator[Finding]:
    """HPA metrics are served by a metrics API, and analyses query the platform's Prometheus."""
    custom = set(pair.provides.get("custom_metrics") or [])
    for hpa in pair.of_kind("HorizontalPodAutoscaler"):
        for i, m in enumerate(hpa.spec().get("metrics") or []):
            kind = m.get("type")
            field = f"spec.metrics[{i}]"
            if kind in ("Resource", "ContainerResource"):
                if not pair.provides.get("resource_metrics"):
                    yield finding(
                        hpa,
                        "no resource metrics API (metrics.k8s.io) on the cluster: the"
                        " HorizontalPodAutoscaler cannot read CPU or memory",
                        contract_ref(pair, "resource_metrics"),
                        field,
                    )
            elif kind in ("Pods", "Object"):
                name = ((m.get(kind.lower()) or {}).get("metric") or {}).get("name")
                if name not in custom:
                    yield finding(
                        hpa,
                        f"custom metric {name!r} is not served by the cluster's custom metrics"
                        f" API (serves: {', '.join(sorted(custom)) or 'none'})",
                        contract_ref(pair, "custom_metrics"),
                        field,
                    )
            elif kind == "External":
                yield finding(
                    hpa, "no external metrics API on the cluster", contract_ref(pair, "apis"), field
                )
    prometheus = str(pair.provides.get("prometheus") or "")
    for o in pair.of_kind("AnalysisTemplate", "ClusterAnalysisTemplate"):
        for i, m in enumerate(o.spec().get("metrics") or []):
            address = ((m.get("provider") or {}).get("prometheus") or {}).get("address")
            if address is None:
                continue
            host = re.sub(r"^https?://([^/:]+).*$", r"\1", str(address))
            field = f"spec.metrics[{i}].provider.prometheus.address"
            if not prometheus or host not in (prometheus, prometheus + ".cluster.local"):
                yield finding(
                    o,
                    f"analysis {m.get('name')} queries {address}, which is not the cluster's"
                    f" Prometheus ({prometheus or 'none installed'})",
                    contract_ref(pair, "prometheus"),
                    field,
                )
                continue
            blocked = _analysis_blocked(pair, host, _port(str(address)))
            if blocked:
                yield finding(
                    o,
                    f"analysis {m.get('name')} queries {address} from the Argo Rollouts"
                    f" controller (namespace {pair.provides.get('rollouts_namespace')}), and no"
                    f" NetworkPolicy of namespace {host.split('.')[1]} admits it there",
                    blocked,
                    field,
                )


def _port(url: str) -> int:
    match = re.match(r"^(https?)://[^/:]+(?::([0-9]+))?", url)
    if match and match.group(2):
        return int(match.group(2))
    return 443 if match and match.group(1) == "https" else 80


def _analysis_blocked(pair: Pair, host: str, port: int) -> str | None:
    """Where the Prometheus namespace isolates its pods (a namespace-wide ingress
    NetworkPolicy) without admitting the Rollouts controller on ``port``: that policy's
    label, else None. Policies for some pods only are not judged: Prometheus' pod labels
    are not in the baseline repo."""
    source = pair.provides.get("rollouts_namespace")
    parts = host.split(".")
    if not source or len(parts) < 2:
        return None
    policies = [
        p
        for p in pair.of_kind("NetworkPolicy", platform=True)
        if p.namespace == parts[1]
        and not p.spec().get("podSelector")
        and "Ingress" in (p.spec().get("policyTypes") or ["Ingress"])
    ]
    if not policies or any(admits(pair, p, str(source), port) for p in policies):
        return None
    return policies[0].where()


@rule("rollouts")
def rollouts(pair: Pair) -> Iterator[Finding]:
    plugins = set(pair.provides.get("rollouts_plugins") or [])
    for o in pair.of_kind("Rollout"):
        routing = ((o.spec().get("strategy") or {}).get("canary") or {}).get("trafficRouting")
        for name in sorted(((routing or {}).get("plugins") or {}).keys()):
            if name not in plugins:
                yield finding(
                    o,
                    f"the Argo Rollouts controller does not load the traffic-router plugin"
                    f" {name!r}: the canary cannot shift traffic",
                    contract_ref(pair, "rollouts_plugins"),
                    "spec.strategy.canary.trafficRouting.plugins",
                )


@rule("storage")
def storage(pair: Pair) -> Iterator[Finding]:
    classes = {o.name: o for o in pair.of_kind("StorageClass", platform=True)}
    default = next(
        (o for o in classes.values() if o.meta.get("annotations", {}).get(DEFAULT_CLASS) == "true"),
        None,
    )
    for pvc in pair.of_kind("PersistentVolumeClaim"):
        name = pvc.spec().get("storageClassName")
        sc = classes.get(str(name)) if name else default
        if sc is None:
            yield finding(
                pvc,
                f"StorageClass {name or '(default)'} does not exist on the cluster"
                f" (classes: {', '.join(sorted(classes)) or 'none'})",
                f"platform: no StorageClass {name or '(default)'}",
                "spec.storageClassName",
            )
            continue
        modes = set(pvc.spec().get("accessModes") or [])
        shared = modes & {"ReadWriteMany", "ReadOnlyMany"}
        supported = set(
            str(sc.meta.get("annotations", {}).get(ACCESS_MODES, "ReadWriteOnce")).split(",")
        )
        if shared - supported:
            yield finding(
                pvc,
                f"StorageClass {sc.name} ({sc.doc.get('provisioner')}) does not provide"
                f" {', '.join(sorted(shared - supported))}",
                sc.where(),
                "spec.accessModes",
            )


@rule("gpu")
def gpu(pair: Pair) -> Iterator[Finding]:
    resources = set(pair.provides.get("gpu_resources") or [])
    for o in pair.service:
        for _meta, pod in pod_templates(o):
            for r in sorted(r for r in requested(pod) if r.startswith("nvidia.com/")):
                if r not in resources:
                    yield finding(
                        o,
                        f"no node of the cluster advertises {r}"
                        f" (GPU resources: {', '.join(sorted(resources)) or 'none'})",
                        contract_ref(pair, "gpu_resources"),
                        "spec.template.spec.containers.resources",
                    )
    wanted = int(pair.needs.get("time_slicing_replicas") or 0)
    have = int(pair.provides.get("time_slicing_replicas") or 0)
    if wanted and wanted != have:
        workload = next((o for o in pair.service if pod_templates(o)), None)
        if workload is not None:
            yield finding(
                workload,
                f"sized for {wanted} pods per time-sliced GPU, but the cluster shares each GPU"
                f" between {have or 'no'} pods: GPU memory is not isolated between them",
                contract_ref(pair, "time_slicing_replicas"),
            )
