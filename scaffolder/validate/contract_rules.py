"""The rules of the platform contract (:mod:`scaffolder.validate.contract`).

Each rule sees one environment of the service against the platform (:class:`Pair`) and
yields a finding per unmet dependency: ``file``/``object`` on the service's side, ``peer`` on
the platform's. Registered by id in :data:`RULES`; docs/guides/platform-contract.md lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from scaffolder.validate.contract import Obj, Pair
from scaffolder.validate.contract_pods import (
    pod_security_problems,
    pod_templates,
    selects,
)
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


def rule(rule_id: str) -> Callable[[Rule], Rule]:
    def register(func: Rule) -> Rule:
        RULES[rule_id] = func
        return func

    return register


def finding(o: Obj, message: str, peer: str, field: str | None = None) -> Finding:
    return Finding("", o.file, message, o.label, field, peer=peer)


def contract_ref(pair: Pair, key: str) -> str:
    return f"platform contract: provides.{key} = {pair.provides.get(key)!r}"


def service_namespace(pair: Pair) -> str | None:
    return next((o.namespace for o in pair.service if o.namespace), None)


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
        yield finding(
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
        yield finding(
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
                yield finding(
                    o,
                    f"namespace {ns} enforces Pod Security {level!r}: {problem}",
                    found.where(),
                    "spec.template.spec",
                )


@rule("priority-class")
def priority_class(pair: Pair) -> Iterator[Finding]:
    classes = {o.name for o in pair.of_kind("PriorityClass", platform=True)}
    own = {o.name for o in pair.of_kind("PriorityClass")}
    for o in pair.service:
        for _meta, pod in pod_templates(o):
            name = pod.get("priorityClassName")
            if name and name not in classes | own | BUILT_IN_PRIORITY_CLASSES:
                yield finding(
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
                yield finding(
                    route,
                    f"Gateway {key[0]}/{key[1]} does not exist on the cluster"
                    f" (Gateways: {', '.join(f'{n}/{m}' for n, m in gateways) or 'none'})",
                    "platform: no Gateway " + f"{key[0]}/{key[1]}",
                    "spec.parentRefs",
                )
                continue
            if not _listener_admits(pair, gw, ref, route):
                yield finding(
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
                        yield finding(
                            o,
                            f"{what} reach pods with Cilium's reserved identity"
                            f" {identity!r}, and no CiliumClusterwideNetworkPolicy of the"
                            f" platform admits it (fromEntities) into namespace {ns}",
                            contract_ref(pair, "ingress"),
                        )
                elif source_ns and not any(admits(pair, p, str(source_ns)) for p in applying):
                    yield finding(
                        o,
                        f"no NetworkPolicy admits {what} (namespace {source_ns}) to these"
                        f" pods; selected by {', '.join(p.label for p in applying)}",
                        pair.namespaces()[source_ns].where()
                        if source_ns in pair.namespaces()
                        else f"platform: namespace {source_ns}",
                    )


def admits(pair: Pair, policy: Obj, source_ns: str, port: int | None = None) -> bool:
    """Whether ``policy`` admits every pod of namespace ``source_ns`` (on ``port``, if given)."""
    labels = pair.namespace_labels(source_ns)
    for rule_ in policy.spec().get("ingress") or []:
        ports = [p.get("port") for p in rule_.get("ports") or []]
        if port is not None and ports and port not in ports:
            continue
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
