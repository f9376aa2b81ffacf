"""A second catalogue of mutations, sampled from the upstream validation, not from our checks.

The first catalogue (mutations.py) was written together with the checks it measures. This one
was drawn the other way round: walking the upstream sources in their own order and taking a
rule from each function that applies to an object the golden paths generate, before looking
at whether `validate` has a check for it:

- k8s.io/kubernetes pkg/apis/core/validation/validation.go, ``ValidatePodSpec`` clause by
  clause (nodeSelector, dnsPolicy/dnsConfig, affinity, readiness and scheduling gates,
  topology spread, names, tolerations, host aliases, OS, security context), then
  ``validateContainerCommon`` (pull policy, ports, env sources, handlers, probes, lifecycle,
  resize policy, security context, volume mounts) and ``ValidateVolumes``;
- services.go ``ValidateService`` in its order; pkg/apis/apps/validation
  ``ValidateDeploymentSpec``; pkg/apis/autoscaling/validation; pkg/apis/policy/validation;
  pkg/apis/networking/validation ``ValidateNetworkPolicySpec``;
  ``ValidatePersistentVolumeClaimSpec``;
- the pinned CRDs' own ``x-kubernetes-validations`` (HTTPRoute of gateway-api v1.6.1, JobSet
  v0.12.0), one mutation per distinct rule message, transition rules (``oldSelf``) left out.

A rule is left out only when the API server does not refuse it (upstream makes it a warning,
as for an empty imagePullSecrets name, pkg/api/pod/warnings.go) or when defaulting fills the
value in before validation (an httpGet probe without a path).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.e2e.mutations import (
    WORKLOADS,
    Doc,
    Mutation,
    _env,
    _first_port,
    _hpa_metric,
    _np_peer,
    _np_port,
    _on_container,
    _on_pod,
    _probe,
    _route_path,
    _service_ports,
    _set,
    _spec,
    container,
)

CORE = "k8s.io/kubernetes pkg/apis/core/validation/validation.go"
SERVICES = "k8s.io/kubernetes pkg/apis/core/validation ValidateService"
APPS = "k8s.io/kubernetes pkg/apis/apps/validation ValidateDeploymentSpec"
HPA = "k8s.io/kubernetes pkg/apis/autoscaling/validation"
PDB = "k8s.io/kubernetes pkg/apis/policy/validation ValidatePodDisruptionBudgetSpec"
NETPOL = "k8s.io/kubernetes pkg/apis/networking/validation ValidateNetworkPolicySpec"
PVC = f"{CORE} ValidatePersistentVolumeClaimSpec"
ROUTE = "gateway-api v1.6.1 HTTPRoute x-kubernetes-validations"
JOBSET = "jobset v0.12.0 JobSet x-kubernetes-validations"


def _with_volume(volume: Doc, mount: Doc) -> Callable[[Doc], bool]:
    """Add a volume to the pod and a mount of it to the first container."""

    def apply(doc: Doc) -> bool:
        doc["spec"]["template"]["spec"].setdefault("volumes", []).append(volume)
        container(doc).setdefault("volumeMounts", []).append(mount)
        return True

    return apply


def _second_port_named_like_first(c: Doc) -> bool:
    ports = c.get("ports") or []
    if not ports or "name" not in ports[0]:
        return False
    ports.append({"name": ports[0]["name"], "containerPort": 9999, "protocol": "TCP"})
    return True


def _route_filter(rule_filters: list[Doc]) -> Callable[[Doc], bool]:
    def apply(doc: Doc) -> bool:
        rules = doc["spec"].get("rules") or []
        if not rules:
            return False
        rules[0]["filters"] = rule_filters
        return True

    return apply


def _route_parent_twice(first_section: str | None, second_section: str) -> Callable[[Doc], bool]:
    def apply(doc: Doc) -> bool:
        refs = doc["spec"].get("parentRefs") or []
        if not refs:
            return False
        first = {k: v for k, v in refs[0].items() if k != "sectionName"}
        if first_section is not None:
            first["sectionName"] = first_section
        refs[:] = [first, {**first, "sectionName": second_section}]
        return True

    return apply


def _route_redirect_with_backends(doc: Doc) -> bool:
    rules = doc["spec"].get("rules") or []
    if not rules or not rules[0].get("backendRefs"):
        return False
    rules[0]["filters"] = [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}]
    return True


def _route_timeouts(doc: Doc) -> bool:
    rules = doc["spec"].get("rules") or []
    if not rules:
        return False
    rules[0]["timeouts"] = {"request": "10s", "backendRequest": "30s"}
    return True


def _jobset(change: Callable[[Doc], None]) -> Callable[[Doc], bool]:
    def apply(doc: Doc) -> bool:
        change(doc["spec"])
        return True

    return apply


def _startup_in_order_with_depends_on(spec: Doc) -> None:
    spec["startupPolicy"] = {"startupPolicyOrder": "InOrder"}
    jobs = spec["replicatedJobs"]
    jobs[-1]["dependsOn"] = [{"name": jobs[0]["name"], "status": "Ready"}]


def _volume_claim_policy_with_namespace(spec: Doc) -> None:
    template = {"metadata": {"name": "scratch", "namespace": "other"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}  # fmt: skip
    spec["volumeClaimPolicies"] = [{"templates": [template]}]


_HEADER = {"type": "RequestHeaderModifier", "requestHeaderModifier": {"set": [{"name": "x-a", "value": "1"}]}}  # fmt: skip
_MIRROR = {"backendRef": {"name": "mirror", "port": 80}}

UPSTREAM: tuple[Mutation, ...] = (
    # ValidatePodSpec, in its order
    Mutation("up-node-selector-value", WORKLOADS, f"{CORE} ValidatePodSpec nodeSelector (ValidateLabels)", _on_pod(_set("nodeSelector", {"kubernetes.io/os": "linux os"}))),
    Mutation("up-dns-none-without-config", WORKLOADS, f"{CORE} validatePodDNSConfig (dnsPolicy None needs dnsConfig)", _on_pod(_set("dnsPolicy", "None"))),
    Mutation("up-dns-nameserver-not-ip", WORKLOADS, f"{CORE} validatePodDNSConfig nameservers", _on_pod(_set("dnsConfig", {"nameservers": ["1.2.3.999"]}))),
    Mutation("up-node-affinity-no-terms", WORKLOADS, f"{CORE} validateAffinity ValidateNodeSelector (at least one term)", _on_pod(_set("affinity", {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}}))),
    Mutation("up-anti-affinity-empty-topology-key", WORKLOADS, f"{CORE} validatePodAffinityTerm topologyKey", _on_pod(_set("affinity", {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {"matchLabels": {"a": "b"}}, "topologyKey": ""}]}}))),
    Mutation("up-readiness-gate-condition", WORKLOADS, f"{CORE} validateReadinessGates (qualified name)", _on_pod(_set("readinessGates", [{"conditionType": "bad type!"}]))),
    Mutation("up-scheduling-gate-duplicate", WORKLOADS, f"{CORE} validateSchedulingGates", _on_pod(_set("schedulingGates", [{"name": "example.com/gate"}, {"name": "example.com/gate"}]))),
    Mutation("up-spread-when-unsatisfiable", WORKLOADS, f"{CORE} validateTopologySpreadConstraints whenUnsatisfiable", _on_pod(_set("topologySpreadConstraints", [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "Sometimes"}]))),
    Mutation("up-spread-duplicate-pair", WORKLOADS, f"{CORE} validateTopologySpreadConstraints (unique topologyKey and whenUnsatisfiable)", _on_pod(_set("topologySpreadConstraints", [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}, {"maxSkew": 2, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}]))),
    Mutation("up-service-account-name", WORKLOADS, f"{CORE} ValidatePodSpec serviceAccountName", _on_pod(_set("serviceAccountName", "Bad_SA"))),
    Mutation("up-active-deadline-zero", WORKLOADS, f"{CORE} ValidatePodSpec activeDeadlineSeconds (1..MaxInt32; apps ValidatePodTemplateSpecForReplicaSet: not supported)", _on_pod(_set("activeDeadlineSeconds", 0))),
    Mutation("up-hostname", WORKLOADS, f"{CORE} ValidatePodSpec hostname (DNS-1123 label)", _on_pod(_set("hostname", "My_Host"))),
    Mutation("up-toleration-exists-with-value", WORKLOADS, f"{CORE} ValidateTolerations (Exists takes no value)", _on_pod(_set("tolerations", [{"key": "k", "operator": "Exists", "value": "v"}]))),
    Mutation("up-toleration-seconds-not-noexecute", WORKLOADS, f"{CORE} ValidateTolerations (tolerationSeconds needs NoExecute)", _on_pod(_set("tolerations", [{"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule", "tolerationSeconds": 30}]))),
    Mutation("up-host-alias-ip", WORKLOADS, f"{CORE} ValidateHostAliases", _on_pod(_set("hostAliases", [{"ip": "not-an-ip", "hostnames": ["db"]}]))),
    Mutation("up-priority-class-name", WORKLOADS, f"{CORE} ValidatePodSpec priorityClassName (DNS subdomain)", _on_pod(_set("priorityClassName", "High_Priority"))),
    Mutation("up-runtime-class-name", WORKLOADS, f"{CORE} ValidateRuntimeClassName", _on_pod(_set("runtimeClassName", "Nvidia_GPU"))),
    Mutation("up-preemption-policy", WORKLOADS, f"{CORE} ValidatePreemptionPolicy", _on_pod(_set("preemptionPolicy", "Sometimes"))),
    Mutation("up-os-name", WORKLOADS, f"{CORE} validateOS", _on_pod(_set("os", {"name": "darwin"}))),
    Mutation("up-linux-pod-windows-options", WORKLOADS, f"{CORE} validateLinux", lambda d: _on_pod(_set("os", {"name": "linux"}))(d) and _on_container(_set("securityContext", {"windowsOptions": {"runAsUserName": "app"}}))(d)),
    Mutation("up-sysctl-name", WORKLOADS, f"{CORE} validatePodSpecSecurityContext validateSysctls", _on_pod(_set("securityContext", {"sysctls": [{"name": "bad sysctl!", "value": "1"}]}))),
    Mutation("up-fs-group-change-policy", WORKLOADS, f"{CORE} validateFSGroupChangePolicy", _on_pod(_set("securityContext", {"fsGroupChangePolicy": "Sometimes"}))),
    # validateContainerCommon and what it calls
    Mutation("up-image-pull-policy", WORKLOADS, f"{CORE} validatePullPolicy", _on_container(_set("imagePullPolicy", "Sometimes"))),
    Mutation("up-container-port-protocol", WORKLOADS, f"{CORE} validateContainerPorts protocol", _first_port(lambda p: p.update(protocol="HTTP"))),
    Mutation("up-container-port-name-duplicate", WORKLOADS, f"{CORE} validateContainerPorts (unique names)", _on_container(_second_port_named_like_first)),
    Mutation("up-env-field-path", WORKLOADS, f"{CORE} validateObjectFieldSelector (validEnvDownwardAPIFieldPathExpressions)", _env({"name": "PHASE", "valueFrom": {"fieldRef": {"fieldPath": "status.phase"}}})),
    Mutation("up-env-resource-field", WORKLOADS, f"{CORE} validateContainerResourceFieldSelector", _env({"name": "GPUS", "valueFrom": {"resourceFieldRef": {"resource": "limits.gpu"}}})),
    Mutation("up-env-two-sources", WORKLOADS, f"{CORE} validateEnvVarValueFrom (one source)", _env({"name": "X", "valueFrom": {"configMapKeyRef": {"name": "a", "key": "k"}, "secretKeyRef": {"name": "b", "key": "k"}}})),
    Mutation("up-exec-without-command", WORKLOADS, f"{CORE} validateExecAction", _probe("livenessProbe", {"exec": {"command": []}})),
    Mutation("up-http-scheme", WORKLOADS, f"{CORE} validateHTTPGetAction scheme", _probe("readinessProbe", {"httpGet": {"path": "/", "port": 8080, "scheme": "FTP"}})),
    Mutation("up-http-header-name", WORKLOADS, f"{CORE} validateHTTPGetAction (IsHTTPHeaderName)", _probe("readinessProbe", {"httpGet": {"path": "/", "port": 8080, "httpHeaders": [{"name": "bad header", "value": "x"}]}})),
    Mutation("up-liveness-grace-zero", WORKLOADS, f"{CORE} validateProbe terminationGracePeriodSeconds > 0", _probe("livenessProbe", {"tcpSocket": {"port": 8080}, "terminationGracePeriodSeconds": 0})),
    Mutation("up-prestop-sleep-beyond-grace", WORKLOADS, f"{CORE} validateSleepAction (≤ terminationGracePeriodSeconds)", _on_container(_set("lifecycle", {"preStop": {"sleep": {"seconds": 1_000_000}}}))),
    Mutation("up-resize-policy-resource", WORKLOADS, f"{CORE} validateResizePolicy", _on_container(_set("resizePolicy", [{"resourceName": "nvidia.com/gpu", "restartPolicy": "NotRequired"}]))),
    Mutation("up-privileged-no-escalation", WORKLOADS, f"{CORE} ValidateSecurityContext (privileged needs allowPrivilegeEscalation)", _on_container(_set("securityContext", {"privileged": True, "allowPrivilegeEscalation": False}))),
    Mutation("up-subpath-absolute", WORKLOADS, f"{CORE} validateVolumeMounts subPath (validateLocalDescendingPath)", _with_volume({"name": "scratch-up", "emptyDir": {}}, {"name": "scratch-up", "mountPath": "/scratch", "subPath": "/etc"})),
    Mutation("up-recursive-read-only-not-read-only", WORKLOADS, f"{CORE} validateVolumeMounts recursiveReadOnly", _with_volume({"name": "scratch-up", "emptyDir": {}}, {"name": "scratch-up", "mountPath": "/scratch", "recursiveReadOnly": "Enabled"})),
    Mutation("up-volume-default-mode", WORKLOADS, f"{CORE} validateConfigMapVolumeSource defaultMode (0..0777)", _with_volume({"name": "conf-up", "configMap": {"name": "c", "defaultMode": 4096}}, {"name": "conf-up", "mountPath": "/conf"})),
    Mutation("up-volume-item-path-dotdot", WORKLOADS, f"{CORE} validateKeyToPath (validateLocalNonReservedPath)", _with_volume({"name": "sec-up", "secret": {"secretName": "s", "items": [{"key": "k", "path": "../escape"}]}}, {"name": "sec-up", "mountPath": "/sec"})),
    # ValidateDeploymentSpec
    Mutation("up-recreate-with-rolling-update", ("Deployment",), f"{APPS} ValidateDeploymentStrategy", _set("spec.strategy", {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}})),
    Mutation("up-revision-history-negative", ("Deployment",), f"{APPS} revisionHistoryLimit (ValidateNonnegativeField)", _set("spec.revisionHistoryLimit", -1)),
    # ValidateService, in its order
    Mutation("up-service-no-ports", ("Service",), f"{SERVICES} (ports required unless headless)", _service_ports([])),
    Mutation("up-service-port-name-upper", ("Service",), f"{SERVICES} validateServicePort (DNS-1123 label)", _service_ports([{"name": "HTTP", "port": 80, "targetPort": 8080}])),
    Mutation("up-service-affinity-timeout", ("Service",), f"{SERVICES} validateClientIPAffinityConfig", _spec(sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 0}})),
    Mutation("up-service-affinity-config-with-none", ("Service",), f"{SERVICES} sessionAffinityConfig with None", _spec(sessionAffinity="None", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 60}})),
    Mutation("up-service-cluster-ip", ("Service",), f"{SERVICES} clusterIP (a valid IP)", _spec(clusterIP="10.0.0.300")),
    Mutation("up-service-external-ip-loopback", ("Service",), f"{SERVICES} validateNonSpecialIP", _spec(externalIPs=["127.0.0.1"])),
    Mutation("up-service-duplicate-port", ("Service",), f"{SERVICES} (unique port and protocol)", _service_ports([{"name": "a", "port": 80, "protocol": "TCP"}, {"name": "b", "port": 80, "protocol": "TCP"}])),
    Mutation("up-service-source-ranges-cluster-ip", ("Service",), f"{SERVICES} loadBalancerSourceRanges only for LoadBalancer", _spec(loadBalancerSourceRanges=["10.0.0.0/8"])),
    Mutation("up-service-traffic-policy-cluster-ip", ("Service",), f"{SERVICES} validateServiceExternalTrafficPolicy", _spec(externalTrafficPolicy="Local")),
    # autoscaling, policy, networking, PVC
    Mutation("up-hpa-max-zero", ("HorizontalPodAutoscaler",), f"{HPA} ValidateHorizontalPodAutoscalerSpec maxReplicas > 0", _spec(minReplicas=None, maxReplicas=0)),
    Mutation("up-hpa-target-kind-empty", ("HorizontalPodAutoscaler",), f"{HPA} ValidateCrossVersionObjectReference", _set("spec.scaleTargetRef.kind", "")),
    Mutation("up-hpa-select-policy", ("HorizontalPodAutoscaler",), f"{HPA} validateScalingRules selectPolicy", _set("spec.behavior", {"scaleUp": {"selectPolicy": "Sometimes"}})),
    Mutation("up-hpa-pods-metric-value", ("HorizontalPodAutoscaler",), f"{HPA} validatePodsSource (averageValue)", _set("spec.metrics", [{"type": "Pods", "pods": {"metric": {"name": "requests"}, "target": {"type": "Value", "value": "1"}}}])),
    Mutation("up-hpa-resource-target-type", ("HorizontalPodAutoscaler",), f"{HPA} validateMetricTarget type", _hpa_metric({"type": "Percent", "averageUtilization": 50})),
    Mutation("up-pdb-negative", ("PodDisruptionBudget",), f"{PDB} ValidatePositiveIntOrPercent", _spec(minAvailable=-1, maxUnavailable=None)),
    Mutation("up-pdb-eviction-policy", ("PodDisruptionBudget",), f"{PDB} unhealthyPodEvictionPolicy", _set("spec.unhealthyPodEvictionPolicy", "Sometimes")),
    Mutation("up-netpol-protocol", ("NetworkPolicy",), f"{NETPOL} ValidateNetworkPolicyPort protocol", _np_port({"protocol": "HTTP", "port": 80})),
    Mutation("up-netpol-policy-type", ("NetworkPolicy",), f"{NETPOL} policyTypes", _set("spec.policyTypes", ["Both"])),
    Mutation("up-netpol-end-port-named", ("NetworkPolicy",), f"{NETPOL} ValidateNetworkPolicyPort (endPort needs a numeric port)", _np_port({"protocol": "TCP", "port": "http", "endPort": 9000})),
    Mutation("up-netpol-selector-key", ("NetworkPolicy",), f"{NETPOL} ValidateNetworkPolicyPeer namespaceSelector", _np_peer({"namespaceSelector": {"matchLabels": {"bad key!": "x"}}})),
    Mutation("up-pvc-access-mode", ("PersistentVolumeClaim",), f"{PVC} accessModes", _set("spec.accessModes", ["ReadWriteAlways"])),
    Mutation("up-pvc-no-storage", ("PersistentVolumeClaim",), f"{PVC} resources[storage] required", _set("spec.resources", {"requests": {}})),
    Mutation("up-pvc-volume-mode", ("PersistentVolumeClaim",), f"{PVC} volumeMode", _set("spec.volumeMode", "Raw")),
    # CRD rules: one per distinct message
    Mutation("up-route-parent-section-missing", ("HTTPRoute",), f"{ROUTE} parentRefs: sectionName must be specified", _route_parent_twice(None, "https")),
    Mutation("up-route-parent-section-duplicate", ("HTTPRoute",), f"{ROUTE} parentRefs: sectionName must be unique", _route_parent_twice("https", "https")),
    Mutation("up-route-redirect-with-backends", ("HTTPRoute",), f"{ROUTE} rules: RequestRedirect not with backendRefs", _route_redirect_with_backends),
    Mutation("up-route-redirect-and-rewrite", ("HTTPRoute",), f"{ROUTE} filters: RequestRedirect or URLRewrite", _route_filter([{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}, {"type": "URLRewrite", "urlRewrite": {"hostname": "a.example"}}])),
    Mutation("up-route-header-modifier-repeated", ("HTTPRoute",), f"{ROUTE} filters: RequestHeaderModifier cannot be repeated", _route_filter([_HEADER, _HEADER])),
    Mutation("up-route-filter-type-without-config", ("HTTPRoute",), f"{ROUTE} filter.requestHeaderModifier must be specified", _route_filter([{"type": "RequestHeaderModifier"}])),
    Mutation("up-route-filter-config-wrong-type", ("HTTPRoute",), f"{ROUTE} filter.urlRewrite must be nil if type is not URLRewrite", _route_filter([{**_HEADER, "urlRewrite": {"hostname": "a.example"}}])),
    Mutation("up-route-mirror-percent-and-fraction", ("HTTPRoute",), f"{ROUTE} requestMirror: percent or fraction", _route_filter([{"type": "RequestMirror", "requestMirror": {**_MIRROR, "percent": 10, "fraction": {"numerator": 1, "denominator": 10}}}])),
    Mutation("up-route-mirror-fraction", ("HTTPRoute",), f"{ROUTE} requestMirror.fraction numerator <= denominator", _route_filter([{"type": "RequestMirror", "requestMirror": {**_MIRROR, "fraction": {"numerator": 5, "denominator": 2}}}])),
    Mutation("up-route-rewrite-full-path-missing", ("HTTPRoute",), f"{ROUTE} urlRewrite.path: replaceFullPath must be specified", _route_filter([{"type": "URLRewrite", "urlRewrite": {"path": {"type": "ReplaceFullPath"}}}])),
    Mutation("up-route-path-dot-segment", ("HTTPRoute",), f"{ROUTE} path must not contain '/./'", _route_path("/api/./v1")),
    Mutation("up-route-path-encoded-slash", ("HTTPRoute",), f"{ROUTE} path must not contain '%2F'", _route_path("/api%2Fv1")),
    Mutation("up-route-path-fragment", ("HTTPRoute",), f"{ROUTE} path must not contain '#'", _route_path("/api#v1")),
    Mutation("up-route-path-ends-dotdot", ("HTTPRoute",), f"{ROUTE} path must not end with '/..'", _route_path("/api/..")),
    Mutation("up-route-path-characters", ("HTTPRoute",), f"{ROUTE} path must only contain valid characters", _route_path("/api v1")),
    Mutation("up-route-backend-timeout", ("HTTPRoute",), f"{ROUTE} timeouts: backendRequest not longer than request", _route_timeouts),
    Mutation("up-jobset-in-order-depends-on", ("JobSet",), f"{JOBSET} StartupPolicy and DependsOn are mutually exclusive", _jobset(_startup_in_order_with_depends_on)),
    Mutation("up-jobset-claim-namespace", ("JobSet",), f"{JOBSET} volumeClaimPolicies templates: no namespace", _jobset(_volume_claim_policy_with_namespace)),
)  # fmt: skip


def _init_container(**fields: Any) -> Callable[[Doc], bool]:
    """Add an init container (a plain one, not a sidecar, unless ``fields`` say so)."""

    def apply(doc: Doc) -> bool:
        init = {"name": "init-up", "image": "busybox:1.36", "command": ["true"], **fields}
        doc["spec"]["template"]["spec"].setdefault("initContainers", []).append(init)
        return True

    return apply


def _host_network_port(doc: Doc) -> bool:
    doc["spec"]["template"]["spec"]["hostNetwork"] = True
    container(doc)["ports"] = [{"name": "http", "containerPort": 8080, "hostPort": 9090, "protocol": "TCP"}]  # fmt: skip
    return True


# Drawn after the checks were fixed for UPSTREAM, from clauses of the same functions the first
# sample did not use, and measured once before any check changed (docs/guides/validate.md).
HELD_OUT: tuple[Mutation, ...] = (
    Mutation("ho-init-restart-policy", WORKLOADS, f"{CORE} validateInitContainerRestartPolicy (only Always)", _init_container(restartPolicy="OnFailure")),
    Mutation("ho-init-probe", WORKLOADS, f"{CORE} validateInitContainers (probes only on sidecars)", _init_container(readinessProbe={"tcpSocket": {"port": 8080}})),
    Mutation("ho-host-network-port", WORKLOADS, f"{CORE} validatePodHostNetworkDeps (hostPort == containerPort)", _host_network_port),
    Mutation("ho-termination-message-policy", WORKLOADS, f"{CORE} validateContainers terminationMessagePolicy", _on_container(_set("terminationMessagePolicy", "Sometimes"))),
    Mutation("ho-secret-key-name", WORKLOADS, f"{CORE} validateSecretKeySelector (IsConfigMapKey)", _env({"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "bad key!"}}})),
    Mutation("ho-env-from-two-sources", WORKLOADS, f"{CORE} validateEnvFrom (one source)", _on_container(_set("envFrom", [{"configMapRef": {"name": "a"}, "secretRef": {"name": "b"}}]))),
    Mutation("ho-resource-claim-unknown", WORKLOADS, f"{CORE} validateResourceClaimNames", _on_container(_set("resources", {"claims": [{"name": "gpu"}]}))),
    Mutation("ho-grpc-port-zero", WORKLOADS, f"{CORE} validateGRPCAction", _probe("livenessProbe", {"grpc": {"port": 0}})),
    Mutation("ho-empty-dir-negative", WORKLOADS, f"{CORE} ValidateVolumeSource emptyDir sizeLimit", _with_volume({"name": "scratch-ho", "emptyDir": {"sizeLimit": "-1Gi"}}, {"name": "scratch-ho", "mountPath": "/scratch"})),
    Mutation("ho-token-expiry-short", WORKLOADS, f"{CORE} validateProjectionSources serviceAccountToken (>= 10 minutes)", _with_volume({"name": "token-ho", "projected": {"sources": [{"serviceAccountToken": {"path": "token", "expirationSeconds": 300}}]}}, {"name": "token-ho", "mountPath": "/token"})),
    Mutation("ho-service-external-name", ("Service",), f"{SERVICES} externalName (DNS subdomain)", _spec(type="ExternalName", externalName="not_a_host!", clusterIP=None, selector=None, ports=None)),
    Mutation("ho-hpa-resource-value", ("HorizontalPodAutoscaler",), f"{HPA} validateResourceSource (averageUtilization or averageValue)", _hpa_metric({"type": "Value", "value": "500m"})),
    Mutation("ho-pvc-storage-class", ("PersistentVolumeClaim",), f"{PVC} storageClassName (ValidateClassName)", _set("spec.storageClassName", "Fast_SSD")),
)  # fmt: skip
