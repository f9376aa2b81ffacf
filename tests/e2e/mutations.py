"""A catalogue of mutations of generated manifests that a real API server refuses.

Each mutation names the upstream rule it breaks (the Go validation in k8s.io/kubernetes or
k8s.io/apimachinery, or the CRD's own CEL rule) and edits the first object of its kind in a
repo's deploy/base/ (or deploy/ for golden paths without a base). Mutations whose kind a
variant does not generate do not apply to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Doc = dict[str, Any]


@dataclass(frozen=True)
class Mutation:
    name: str
    kinds: tuple[str, ...]  # the first object of the first of these kinds is mutated
    rule: str  # the upstream rule that refuses it
    apply: Callable[[Doc], bool]  # False: not applicable to this object


def pod(doc: Doc) -> Doc:
    return doc["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def container(doc: Doc) -> Doc:
    return pod(doc)["containers"][0]  # type: ignore[no-any-return]


def _set(path: str, value: Any) -> Callable[[Doc], bool]:
    def apply(doc: Doc) -> bool:
        *parents, last = path.split(".")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        node[last] = value
        return True

    return apply


def _on_container(change: Callable[[Doc], bool]) -> Callable[[Doc], bool]:
    return lambda doc: change(container(doc))


def _on_pod(change: Callable[[Doc], bool]) -> Callable[[Doc], bool]:
    return lambda doc: change(pod(doc))


def _probe(name: str, probe: Doc) -> Callable[[Doc], bool]:
    def apply(c: Doc) -> bool:
        c[name] = probe
        return True

    return _on_container(apply)


def _first_port(change: Callable[[Doc], None]) -> Callable[[Doc], bool]:
    def apply(c: Doc) -> bool:
        if not c.get("ports"):
            return False
        change(c["ports"][0])
        return True

    return _on_container(apply)


def _duplicate_container(doc: Doc) -> bool:
    containers = pod(doc)["containers"]
    containers.append(dict(containers[0]))
    return True


def _mount_without_volume(c: Doc) -> bool:
    c.setdefault("volumeMounts", []).append({"name": "no-such-volume", "mountPath": "/data"})
    return True


def _duplicate_mount_path(c: Doc) -> bool:
    mounts = c.get("volumeMounts") or []
    if not mounts:
        return False
    mounts.append({**mounts[0]})
    return True


def _bad_volume_name(p: Doc) -> bool:
    p.setdefault("volumes", []).append({"name": "Cache_Dir", "emptyDir": {}})
    return True


def _two_volume_sources(p: Doc) -> bool:
    p.setdefault("volumes", []).append({"name": "both", "emptyDir": {}, "configMap": {"name": "x"}})
    return True


def _env(var: Doc) -> Callable[[Doc], bool]:
    def apply(c: Doc) -> bool:
        c.setdefault("env", []).append(var)
        return True

    return _on_container(apply)


def _resources(requests: Doc, limits: Doc) -> Callable[[Doc], bool]:
    def apply(c: Doc) -> bool:
        c["resources"] = {"requests": requests, "limits": limits}
        return True

    return _on_container(apply)


def _selector_mismatch(doc: Doc) -> bool:
    selector = doc["spec"].get("selector")
    if not selector:
        return False
    selector.setdefault("matchLabels", {})["scaffolder.dev/extra"] = "not-in-template"
    return True


def _np_peer(peer: Doc) -> Callable[[Doc], bool]:
    def apply(doc: Doc) -> bool:
        doc["spec"].setdefault("ingress", []).append({"from": [peer]})
        return True

    return apply


def _np_port(port: Doc) -> Callable[[Doc], bool]:
    def apply(doc: Doc) -> bool:
        doc["spec"].setdefault("egress", []).append({"ports": [port]})
        return True

    return apply


def _service_ports(ports: list[Doc]) -> Callable[[Doc], bool]:
    return _set("spec.ports", ports)


def _route_path(value: str) -> Callable[[Doc], bool]:
    def apply(doc: Doc) -> bool:
        for rule in doc["spec"].get("rules") or []:
            for match in rule.get("matches") or []:
                if "path" in match:
                    match["path"] = {"type": "PathPrefix", "value": value}
                    return True
        return False

    return apply


def _route_backend_without_port(doc: Doc) -> bool:
    for rule in doc["spec"].get("rules") or []:
        for ref in rule.get("backendRefs") or []:
            ref.pop("port", None)
            return True
    return False


def _route_duplicate_parent(doc: Doc) -> bool:
    refs = doc["spec"].get("parentRefs") or []
    if not refs:
        return False
    refs.append(dict(refs[0]))
    return True


def _spec(**fields: Any) -> Callable[[Doc], bool]:
    """Set (or, with None, remove) fields of spec."""

    def apply(doc: Doc) -> bool:
        for key, value in fields.items():
            if value is None:
                doc["spec"].pop(key, None)
            else:
                doc["spec"][key] = value
        return True

    return apply


def _hpa_metric(target: Doc) -> Callable[[Doc], bool]:
    return _set(
        "spec.metrics", [{"type": "Resource", "resource": {"name": "cpu", "target": target}}]
    )


APPS = "k8s.io/kubernetes pkg/apis/apps/validation/validation.go"
CORE = "k8s.io/kubernetes pkg/apis/core/validation/validation.go"
META = "k8s.io/apimachinery pkg/api/validation/objectmeta.go"
LABELS = "k8s.io/apimachinery pkg/apis/meta/v1/validation ValidateLabels"
BATCH = "k8s.io/kubernetes pkg/apis/batch/validation/validation.go"
POLICY = "k8s.io/kubernetes pkg/apis/policy/validation ValidatePodDisruptionBudgetSpec"
HPA = "k8s.io/kubernetes pkg/apis/autoscaling/validation ValidateHorizontalPodAutoscalerSpec"
NETPOL = "k8s.io/kubernetes pkg/apis/networking/validation ValidateNetworkPolicySpec"
SCHED = "k8s.io/kubernetes pkg/apis/scheduling/validation ValidatePriorityClass"
GATEWAY = "gateway-api v1.6.1 HTTPRoute CRD x-kubernetes-validations"
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job")

CATALOGUE: tuple[Mutation, ...] = (
    # Object metadata (every kind)
    Mutation("name-not-dns-subdomain", WORKLOADS, f"{META} NameIsDNSSubdomain", _set("metadata.name", "Checkout_API")),
    Mutation("service-name-not-dns1035", ("Service",), f"{CORE} ValidateServiceName (DNS-1035)", _set("metadata.name", "1-api")),
    Mutation("label-value-too-long", WORKLOADS, LABELS, _set("metadata.labels", {"app": "x" * 64})),
    Mutation("label-key-invalid", ("Service",), LABELS, _set("metadata.labels", {"bad key!": "x"})),
    Mutation("annotations-over-256KiB", ("ServiceAccount",), f"{META} ValidateAnnotations", _set("metadata.annotations", {"note": "x" * 262_200})),
    Mutation("annotation-key-invalid", ("NetworkPolicy",), f"{META} ValidateAnnotations", _set("metadata.annotations", {"-bad/key": "x"})),
    # Selectors and templates
    Mutation("selector-does-not-match-template", ("Deployment", "StatefulSet", "DaemonSet"), f"{APPS} ValidateDeploymentSpec", _selector_mismatch),
    Mutation("empty-selector", ("Deployment", "StatefulSet", "DaemonSet"), f"{APPS} ValidateDeploymentSpec", _set("spec.selector", {})),
    Mutation("selector-expression-without-values", ("PodDisruptionBudget",), "k8s.io/apimachinery meta/v1/validation ValidateLabelSelector", _set("spec.selector", {"matchExpressions": [{"key": "app", "operator": "In", "values": []}]})),
    Mutation("job-selector-without-manualSelector", ("Job",), f"{BATCH} validateGeneratedSelector", _set("spec.selector", {"matchLabels": {"a": "b"}})),
    Mutation("job-restart-always", ("Job",), f"{BATCH} ValidateJobSpec restartPolicy", _on_pod(_set("restartPolicy", "Always"))),
    Mutation("deployment-restart-never", ("Deployment",), f"{APPS} ValidatePodTemplateSpecForReplicaSet", _on_pod(_set("restartPolicy", "Never"))),
    Mutation("negative-replicas", ("Deployment", "StatefulSet"), f"{APPS} ValidateNonnegativeField", _set("spec.replicas", -1)),
    Mutation("surge-and-unavailable-zero", ("Deployment",), f"{APPS} ValidateRollingUpdateDeployment", _set("spec.strategy", {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}})),
    Mutation("max-unavailable-over-100-percent", ("Deployment",), f"{APPS} IsNotMoreThan100Percent", _set("spec.strategy", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "120%"}})),
    # Containers
    Mutation("container-name-not-dns-label", WORKLOADS, f"{CORE} validateContainers", _on_container(_set("name", "App_Server"))),
    Mutation("duplicate-container-name", WORKLOADS, f"{CORE} validateContainers", _duplicate_container),
    Mutation("container-port-out-of-range", WORKLOADS, f"{CORE} validateContainerPorts", _first_port(lambda p: p.update(containerPort=70000))),
    Mutation("port-name-too-long", WORKLOADS, f"{CORE} validateContainerPorts IsValidPortName", _first_port(lambda p: p.update(name="http-metrics-port"))),
    Mutation("port-name-no-letter", WORKLOADS, f"{CORE} validateContainerPorts IsValidPortName", _first_port(lambda p: p.update(name="8080"))),
    Mutation("env-name-with-equals", WORKLOADS, f"{CORE} validateEnv", _env({"name": "A=B", "value": "x"})),
    Mutation("env-value-and-valueFrom", WORKLOADS, f"{CORE} validateEnv", _env({"name": "X", "value": "x", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}})),
    Mutation("request-above-limit", WORKLOADS, f"{CORE} ValidateResourceRequirements", _resources({"cpu": "100m", "memory": "2Gi"}, {"memory": "1Gi"})),
    Mutation("invalid-quantity", WORKLOADS, f"{CORE} ValidateResourceRequirements (resource.ParseQuantity)", _resources({"cpu": "1.5GB"}, {})),
    Mutation("gpu-request-not-equal-limit", WORKLOADS, f"{CORE} ValidateResourceRequirements (extended resources)", _resources({"nvidia.com/gpu": 1}, {"nvidia.com/gpu": 2})),
    Mutation("gpu-fractional", WORKLOADS, f"{CORE} ValidateResourceRequirements (extended resources)", _resources({"nvidia.com/gpu": "500m"}, {"nvidia.com/gpu": "500m"})),
    Mutation("probe-two-handlers", WORKLOADS, f"{CORE} validateHandler", _probe("livenessProbe", {"httpGet": {"path": "/", "port": 8080}, "exec": {"command": ["true"]}})),
    Mutation("probe-no-handler", WORKLOADS, f"{CORE} validateHandler", _probe("readinessProbe", {"periodSeconds": 5})),
    Mutation("liveness-success-threshold", WORKLOADS, f"{CORE} validateProbe", _probe("livenessProbe", {"tcpSocket": {"port": 8080}, "successThreshold": 3})),
    Mutation("probe-negative-period", WORKLOADS, f"{CORE} validateProbe", _probe("startupProbe", {"tcpSocket": {"port": 8080}, "periodSeconds": -5})),
    Mutation("probe-port-out-of-range", WORKLOADS, f"{CORE} validateHTTPGetAction", _probe("livenessProbe", {"httpGet": {"path": "/", "port": 0}})),
    Mutation("readiness-termination-grace", WORKLOADS, f"{CORE} validateProbe", _probe("readinessProbe", {"tcpSocket": {"port": 8080}, "terminationGracePeriodSeconds": 10})),
    Mutation("mount-without-volume", WORKLOADS, f"{CORE} validateVolumeMounts", _on_container(_mount_without_volume)),
    Mutation("duplicate-mount-path", WORKLOADS, f"{CORE} validateVolumeMounts", _on_container(_duplicate_mount_path)),
    Mutation("volume-name-invalid", WORKLOADS, f"{CORE} validateVolumes", _on_pod(_bad_volume_name)),
    Mutation("volume-two-sources", WORKLOADS, f"{CORE} validateVolumeSource", _on_pod(_two_volume_sources)),
    Mutation("spread-max-skew-zero", WORKLOADS, f"{CORE} validateTopologySpreadConstraints", _on_pod(_set("topologySpreadConstraints", [{"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway"}]))),
    Mutation("run-as-user-out-of-range", WORKLOADS, f"{CORE} ValidatePodSecurityContext IsValidUserID", _on_pod(_set("securityContext", {"runAsUser": -1}))),
    Mutation("container-group-out-of-range", WORKLOADS, f"{CORE} ValidateSecurityContext IsValidGroupID", _on_container(_set("securityContext", {"runAsGroup": 2_147_483_648}))),
    Mutation("seccomp-localhost-without-profile", WORKLOADS, f"{CORE} validateSeccompProfileField", _on_pod(_set("securityContext", {"seccompProfile": {"type": "Localhost"}}))),
    # Services
    Mutation("service-two-ports-unnamed", ("Service",), f"{CORE} ValidateService", _service_ports([{"port": 80, "targetPort": 8080}, {"port": 81, "targetPort": 8081}])),
    Mutation("service-duplicate-port-names", ("Service",), f"{CORE} ValidateService", _service_ports([{"name": "http", "port": 80}, {"name": "http", "port": 81}])),
    Mutation("service-target-port-name-invalid", ("Service",), f"{CORE} validateServicePort", _service_ports([{"name": "http", "port": 80, "targetPort": "http_port"}])),
    Mutation("service-external-name-missing", ("Service",), f"{CORE} ValidateService", _set("spec.type", "ExternalName")),
    Mutation("service-node-port-on-cluster-ip", ("Service",), f"{CORE} ValidateService", _service_ports([{"name": "http", "port": 80, "nodePort": 30080}])),
    # PodDisruptionBudget, HPA
    Mutation("pdb-min-and-max", ("PodDisruptionBudget",), POLICY, _spec(minAvailable=1, maxUnavailable=1)),
    Mutation("pdb-over-100-percent", ("PodDisruptionBudget",), POLICY, _spec(minAvailable="150%", maxUnavailable=None)),
    Mutation("hpa-min-above-max", ("HorizontalPodAutoscaler",), HPA, _spec(minReplicas=10, maxReplicas=2)),
    Mutation("hpa-min-zero", ("HorizontalPodAutoscaler",), f"{HPA} (HPAScaleToZero is alpha)", _set("spec.minReplicas", 0)),
    Mutation("hpa-utilization-without-value", ("HorizontalPodAutoscaler",), HPA, _hpa_metric({"type": "Utilization", "averageValue": "500m"})),
    Mutation("hpa-policy-period-too-long", ("HorizontalPodAutoscaler",), f"{HPA} validateScalingRules", _set("spec.behavior", {"scaleDown": {"policies": [{"type": "Pods", "value": 1, "periodSeconds": 3600}]}})),
    # NetworkPolicy
    Mutation("netpol-ipblock-and-selector", ("NetworkPolicy",), NETPOL, _np_peer({"ipBlock": {"cidr": "10.0.0.0/8"}, "namespaceSelector": {}})),
    Mutation("netpol-cidr-invalid", ("NetworkPolicy",), NETPOL, _np_peer({"ipBlock": {"cidr": "10.0.0.0/33"}})),
    Mutation("netpol-except-outside-cidr", ("NetworkPolicy",), NETPOL, _np_peer({"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.1.0.0/24"]}})),
    Mutation("netpol-end-port-below-port", ("NetworkPolicy",), NETPOL, _np_port({"port": 9000, "endPort": 8000, "protocol": "TCP"})),
    Mutation("netpol-empty-peer", ("NetworkPolicy",), NETPOL, _np_peer({})),
    # PriorityClass
    Mutation("priority-above-user-maximum", ("PriorityClass",), SCHED, _set("value", 2_000_000_000)),
    # CRD CEL rules
    Mutation("httproute-relative-path", ("HTTPRoute",), GATEWAY, _route_path("v1-no-slash")),
    Mutation("httproute-double-slash", ("HTTPRoute",), GATEWAY, _route_path("/v1//x")),
    Mutation("httproute-service-backend-without-port", ("HTTPRoute",), GATEWAY, _route_backend_without_port),
    Mutation("httproute-duplicate-parent", ("HTTPRoute",), GATEWAY, _route_duplicate_parent),
)  # fmt: skip
