"""The rules of the platform contract (:mod:`scaffolder.validate.contract`).

Each rule sees one environment of the service against the platform (:class:`Pair`) and
yields a finding per unmet dependency: ``file``/``object`` on the service's side, ``peer`` on
the platform's. Registered by id in :data:`RULES`; docs/guides/platform-contract.md lists them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from scaffolder.validate.contract import Obj, Pair
from scaffolder.validate.findings import Finding

Rule = Callable[[Pair], Iterator[Finding]]
RULES: dict[str, Rule] = {}

# API groups every Kubernetes cluster serves (no CRD needed).
BUILT_IN_GROUPS = frozenset(
    {
        "",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "apiregistration.k8s.io",
        "apps",
        "autoscaling",
        "batch",
        "certificates.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "flowcontrol.apiserver.k8s.io",
        "networking.k8s.io",
        "node.k8s.io",
        "policy",
        "rbac.authorization.k8s.io",
        "resource.k8s.io",
        "scheduling.k8s.io",
        "storage.k8s.io",
    }
)
BUILT_IN_PRIORITY_CLASSES = frozenset({"system-cluster-critical", "system-node-critical"})
POD_TEMPLATE_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Rollout")
ACCESS_MODES = "scaffolder.dev/access-modes"
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
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


def rule(rule_id: str) -> Callable[[Rule], Rule]:
    def register(func: Rule) -> Rule:
        RULES[rule_id] = func
        return func

    return register


def _finding(o: Obj, message: str, peer: str, field: str | None = None) -> Finding:
    return Finding("", o.file, message, o.label, field, peer=peer)


def _contract(pair: Pair, key: str) -> str:
    return f"platform contract: provides.{key} = {pair.provides.get(key)!r}"


# --- pods -----------------------------------------------------------------------------------


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


def service_namespace(pair: Pair) -> str | None:
    return next((o.namespace for o in pair.service if o.namespace), None)


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


# --- rules ----------------------------------------------------------------------------------


@rule("api")
def api_kinds(pair: Pair) -> Iterator[Finding]:
    """Every kind the service applies is built in, installed by a release, or a CRD."""
    provided = pair.provides.get("apis") or {}
    crds = {
        (str(c.spec().get("group")), str((c.spec().get("names") or {}).get("kind")))
        for c in pair.of_kind("CustomResourceDefinition", platform=True)
    }
    seen: set[tuple[str, str]] = set()
    for o in pair.service:
        if o.group in BUILT_IN_GROUPS or (o.group, o.kind) in seen:
            continue
        seen.add((o.group, o.kind))
        if o.kind in (provided.get(o.group) or []) or (o.group, o.kind) in crds:
            continue
        yield _finding(
            o,
            f"{o.api_version} {o.kind} is not installed on the cluster: no release of the"
            f" platform provides {o.kind} in {o.group}",
            f"platform contract: provides.apis[{o.group!r}] = {provided.get(o.group)!r}",
            "apiVersion",
        )


@rule("namespace")
def namespace(pair: Pair) -> Iterator[Finding]:
    """The service's namespace exists and its Pod Security level admits the pods."""
    ns = service_namespace(pair)
    if ns is None:
        return
    found = pair.namespaces().get(ns)
    first = next(o for o in pair.service if o.namespace == ns)
    if found is None:
        tenants = sorted(
            n for n, o in pair.namespaces().items() if "scaffolder.dev/tenant" in o.labels
        )
        yield _finding(
            first,
            f"namespace {ns!r} does not exist on the cluster: add the team with"
            f" `scaffolder new tenant` or deploy to a tenant namespace"
            f" ({', '.join(tenants) or 'none'})",
            "tenants/: no Namespace " + ns,
            "metadata.namespace",
        )
        return
    level = found.labels.get("pod-security.kubernetes.io/enforce", "privileged")
    for o in pair.service:
        for _meta, pod in pod_templates(o):
            for problem in pod_security_problems(pod, level):
                yield _finding(
                    o,
                    f"namespace {ns} enforces Pod Security {level!r}: {problem}",
                    found.where(),
                    "spec.template.spec",
                )


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


@rule("priority-class")
def priority_class(pair: Pair) -> Iterator[Finding]:
    classes = {o.name for o in pair.of_kind("PriorityClass", platform=True)}
    own = {o.name for o in pair.of_kind("PriorityClass")}
    for o in pair.service:
        for _meta, pod in pod_templates(o):
            name = pod.get("priorityClassName")
            if name and name not in classes | own | BUILT_IN_PRIORITY_CLASSES:
                yield _finding(
                    o,
                    f"PriorityClass {name!r} does not exist on the cluster"
                    f" (it has {', '.join(sorted(classes)) or 'none'})",
                    "platform: no PriorityClass " + str(name),
                    "spec.template.spec.priorityClassName",
                )


@rule("gateway")
def gateway(pair: Pair) -> Iterator[Finding]:
    """Routes attach to a platform Gateway whose listener admits the route's namespace."""
    gateways = {(o.namespace, o.name): o for o in pair.of_kind("Gateway", platform=True)}
    for route in pair.of_kind("HTTPRoute", "GRPCRoute"):
        for ref in route.spec().get("parentRefs") or []:
            if ref.get("kind", "Gateway") != "Gateway":
                continue
            key = (ref.get("namespace") or route.namespace, ref.get("name"))
            gw = gateways.get(key)
            if gw is None:
                yield _finding(
                    route,
                    f"Gateway {key[0]}/{key[1]} does not exist on the cluster"
                    f" (Gateways: {', '.join(f'{n}/{m}' for n, m in gateways) or 'none'})",
                    "platform: no Gateway " + f"{key[0]}/{key[1]}",
                    "spec.parentRefs",
                )
                continue
            if not _listener_admits(pair, gw, ref, route):
                yield _finding(
                    route,
                    f"no listener of Gateway {key[0]}/{key[1]} admits {route.kind}s from"
                    f" namespace {route.namespace} (listeners' allowedRoutes)",
                    gw.where(),
                    "spec.parentRefs",
                )


def _listener_admits(pair: Pair, gw: Obj, ref: Mapping[str, Any], route: Obj) -> bool:
    for listener in gw.spec().get("listeners") or []:
        if ref.get("sectionName") and listener.get("name") != ref.get("sectionName"):
            continue
        if ref.get("port") and listener.get("port") != ref.get("port"):
            continue
        allowed = listener.get("allowedRoutes") or {}
        kinds = [k.get("kind") for k in allowed.get("kinds") or []]
        if kinds and route.kind not in kinds:
            continue
        namespaces = allowed.get("namespaces") or {}
        origin = namespaces.get("from", "Same")
        ns = route.namespace or ""
        if (
            origin == "All"
            or (origin == "Same" and ns == gw.namespace)
            or (
                origin == "Selector"
                and selects(namespaces.get("selector"), pair.namespace_labels(ns))
            )
        ):
            return True
    return False


@rule("network-policy")
def network_policy(pair: Pair) -> Iterator[Finding]:
    """The pods admit the traffic they need: the Gateway's proxies and Prometheus."""
    ns = service_namespace(pair)
    if ns is None:
        return
    policies = [
        o
        for o in pair.of_kind("NetworkPolicy") + pair.of_kind("NetworkPolicy", platform=True)
        if (o.namespace or ns) == ns and "Ingress" in (o.spec().get("policyTypes") or ["Ingress"])
    ]
    sources = []
    ingress = pair.provides.get("ingress") or {}
    if pair.needs.get("ingress"):
        sources.append(("the Gateway's proxies", ingress.get("namespace"), ingress.get("identity")))
    monitoring = (pair.provides.get("monitoring") or {}).get("namespace")
    if pair.needs.get("monitoring") and monitoring:
        sources.append(("Prometheus", monitoring, None))
    for o in pair.service:
        for meta, _pod in pod_templates(o):
            labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
            applying = [p for p in policies if selects(p.spec().get("podSelector") or {}, labels)]
            if not applying:
                continue
            for what, source_ns, identity in sources:
                if identity:
                    if not _entity_admitted(pair, ns, str(identity)):
                        yield _finding(
                            o,
                            f"{what} reach pods with Cilium's reserved identity"
                            f" {identity!r}, and no CiliumClusterwideNetworkPolicy of the"
                            f" platform admits it (fromEntities) into namespace {ns}",
                            _contract(pair, "ingress"),
                        )
                elif source_ns and not any(_admits(pair, p, str(source_ns)) for p in applying):
                    yield _finding(
                        o,
                        f"no NetworkPolicy admits {what} (namespace {source_ns}) to these"
                        f" pods; selected by {', '.join(p.label for p in applying)}",
                        pair.namespaces()[source_ns].where()
                        if source_ns in pair.namespaces()
                        else f"platform: namespace {source_ns}",
                    )


def _admits(pair: Pair, policy: Obj, source_ns: str) -> bool:
    labels = pair.namespace_labels(source_ns)
    for rule_ in policy.spec().get("ingress") or []:
        peers = rule_.get("from")
        if not peers:
            return True  # from everywhere
        for peer in peers:
            if "namespaceSelector" not in peer:
                continue
            if selects(peer.get("namespaceSelector") or {}, labels) and not (
                (peer.get("podSelector") or {}).get("matchLabels")
                or (peer.get("podSelector") or {}).get("matchExpressions")
            ):
                return True
    return False


def _entity_admitted(pair: Pair, ns: str, entity: str) -> bool:
    prefix = "k8s:io.cilium.k8s.namespace.labels."
    ns_labels = {prefix + k: v for k, v in pair.namespace_labels(ns).items()}
    ns_labels["k8s:io.kubernetes.pod.namespace"] = ns
    for policy in pair.of_kind(
        "CiliumClusterwideNetworkPolicy", "CiliumNetworkPolicy", platform=True
    ):
        if policy.kind == "CiliumNetworkPolicy" and policy.namespace != ns:
            continue
        selector = policy.spec().get("endpointSelector") or {}
        relevant = {
            "matchLabels": {
                k: v for k, v in (selector.get("matchLabels") or {}).items() if "namespace" in k
            },
            "matchExpressions": [
                e
                for e in selector.get("matchExpressions") or []
                if "namespace" in str(e.get("key"))
            ],
        }
        if not selects(relevant, ns_labels):
            continue
        for rule_ in policy.spec().get("ingress") or []:
            if entity in (rule_.get("fromEntities") or []) or "all" in (
                rule_.get("fromEntities") or []
            ):
                return True
    return False


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
        if o.kind in ("Job", "JobSet"):
            labels, integration = (
                o.labels,
                "batch/job" if o.kind == "Job" else "jobset.x-k8s.io/jobset",
            )
        elif pods:
            labels, integration = pods[0][0].get("labels") or {}, "pod"
        else:
            continue
        queue = labels.get("kueue.x-k8s.io/queue-name")
        if not queue:
            continue
        if integration not in integrations:
            yield _finding(
                o,
                f"Kueue on the cluster does not manage {o.kind}s (integration"
                f" {integration!r} not enabled): the workload runs unadmitted or never starts",
                _contract(pair, "kueue_integrations"),
                "metadata.labels",
            )
        local = queues.get((o.namespace, queue))
        if local is None:
            yield _finding(
                o,
                f"LocalQueue {queue!r} does not exist in namespace {o.namespace}",
                f"platform: LocalQueues {sorted(f'{n}/{q}' for n, q in queues) or 'none'}",
                "metadata.labels.kueue.x-k8s.io/queue-name",
            )
        else:
            yield from _covered(o, pods, local, cluster_queues, excluded)
        priority = labels.get("kueue.x-k8s.io/priority-class")
        if priority and priority not in priorities:
            yield _finding(
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
        yield _finding(
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
        yield _finding(
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
            yield _finding(
                o,
                f"ClusterSecretStore {name!r} does not exist on the cluster"
                f" (stores: {', '.join(sorted(stores)) or 'none'})",
                "platform: no ClusterSecretStore " + name,
                "spec.secretStoreRef.name",
            )
        elif not _store_admits(pair, store, o.namespace or ""):
            yield _finding(
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
                    yield _finding(
                        hpa,
                        "no resource metrics API (metrics.k8s.io) on the cluster: the"
                        " HorizontalPodAutoscaler cannot read CPU or memory",
                        _contract(pair, "resource_metrics"),
                        field,
                    )
            elif kind in ("Pods", "Object"):
                name = ((m.get(kind.lower()) or {}).get("metric") or {}).get("name")
                if name not in custom:
                    yield _finding(
                        hpa,
                        f"custom metric {name!r} is not served by the cluster's custom metrics"
                        f" API (serves: {', '.join(sorted(custom)) or 'none'})",
                        _contract(pair, "custom_metrics"),
                        field,
                    )
            elif kind == "External":
                yield _finding(
                    hpa, "no external metrics API on the cluster", _contract(pair, "apis"), field
                )
    prometheus = str(pair.provides.get("prometheus") or "")
    for o in pair.of_kind("AnalysisTemplate", "ClusterAnalysisTemplate"):
        for i, m in enumerate(o.spec().get("metrics") or []):
            address = ((m.get("provider") or {}).get("prometheus") or {}).get("address")
            if address is None:
                continue
            host = re.sub(r"^https?://([^/:]+).*$", r"\1", str(address))
            if not prometheus or host not in (prometheus, prometheus + ".cluster.local"):
                yield _finding(
                    o,
                    f"analysis {m.get('name')} queries {address}, which is not the cluster's"
                    f" Prometheus ({prometheus or 'none installed'})",
                    _contract(pair, "prometheus"),
                    f"spec.metrics[{i}].provider.prometheus.address",
                )


@rule("rollouts")
def rollouts(pair: Pair) -> Iterator[Finding]:
    plugins = set(pair.provides.get("rollouts_plugins") or [])
    for o in pair.of_kind("Rollout"):
        routing = ((o.spec().get("strategy") or {}).get("canary") or {}).get("trafficRouting")
        for name in sorted(((routing or {}).get("plugins") or {}).keys()):
            if name not in plugins:
                yield _finding(
                    o,
                    f"the Argo Rollouts controller does not load the traffic-router plugin"
                    f" {name!r}: the canary cannot shift traffic",
                    _contract(pair, "rollouts_plugins"),
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
            yield _finding(
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
            yield _finding(
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
                    yield _finding(
                        o,
                        f"no node of the cluster advertises {r}"
                        f" (GPU resources: {', '.join(sorted(resources)) or 'none'})",
                        _contract(pair, "gpu_resources"),
                        "spec.template.spec.containers.resources",
                    )
    wanted = int(pair.needs.get("time_slicing_replicas") or 0)
    have = int(pair.provides.get("time_slicing_replicas") or 0)
    if wanted and wanted != have:
        workload = next((o for o in pair.service if pod_templates(o)), None)
        if workload is not None:
            yield _finding(
                workload,
                f"sized for {wanted} pods per time-sliced GPU, but the cluster shares each GPU"
                f" between {have or 'no'} pods: GPU memory is not isolated between them",
                _contract(pair, "time_slicing_replicas"),
            )
