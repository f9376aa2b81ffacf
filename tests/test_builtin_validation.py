"""Built-in validation beyond OpenAPI: each check against an object the API server refuses,
and the valid object beside it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from scaffolder.validate.builtin import problems
from scaffolder.validate.builtin.cron import schedule_problem
from scaffolder.validate.builtin.immutable import immutable_changes
from scaffolder.validate.builtin.quantity import parse_quantity
from scaffolder.validate.rules import Obj

LABELS = {"app": "web"}
DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "shop", "labels": LABELS},
    "spec": {
        "selector": {"matchLabels": LABELS},
        "template": {
            "metadata": {"labels": LABELS},
            "spec": {
                "containers": [
                    {
                        "name": "app",
                        "image": "web:1",
                        "ports": [{"name": "http", "containerPort": 8080}],
                        "env": [{"name": "PORT", "value": "8080"}],
                        "resources": {
                            "requests": {"cpu": "100m", "memory": "128Mi"},
                            "limits": {"memory": "256Mi", "nvidia.com/gpu": 1},
                        },
                        "livenessProbe": {"httpGet": {"path": "/", "port": "http"}},
                        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
                    }
                ],
                "volumes": [{"name": "tmp", "emptyDir": {}}],
            },
        },
    },
}
POD = "spec.template.spec"
C0 = f"{POD}.containers.0"


def found(obj: dict[str, Any], version: str = "1.35") -> list[tuple[str, str]]:
    return list(problems(obj, version))


def mutated(path: str, value: Any, obj: dict[str, Any] = DEPLOYMENT) -> dict[str, Any]:
    """A copy of ``obj`` with the dotted ``path`` set to ``value`` (list indexes as digits)."""
    out = copy.deepcopy(obj)
    *parents, last = path.split(".")
    node: Any = out
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return out


def test_valid_deployment() -> None:
    assert found(DEPLOYMENT) == []


@pytest.mark.parametrize(
    ("path", "value", "where", "says"),
    [
        ("metadata.name", "Web_1", "metadata.name", "RFC 1123 subdomain"),
        ("metadata.namespace", "shop.eu", "metadata.namespace", "RFC 1123 label"),
        ("metadata.labels", {"app": "a" * 64}, "metadata.labels.app", "no more than 63"),
        ("metadata.labels", {"bad key!": "x"}, "metadata.labels.bad key!", "label key"),
        ("metadata.annotations", {"a": "x" * 262_145}, "metadata.annotations", "Too long"),
        ("spec.selector", {}, "spec.selector", "empty selector"),
        ("spec.selector", {"matchLabels": {"app": "api"}}, f"{POD[:-5]}.metadata.labels", "does not match"),
        ("spec.replicas", -1, "spec.replicas", "greater than or equal to 0"),
        (f"{C0}.name", "App", f"{C0}.name", "RFC 1123 label"),
        (f"{C0}.ports.0.containerPort", 70000, f"{C0}.ports.0.containerPort", "between 1 and 65535"),
        (f"{C0}.ports.0.name", "http-port-too-long", f"{C0}.ports.0.name", "15 characters"),
        (f"{C0}.env.0.name", "A=B", f"{C0}.env.0.name", "other than '='"),
        (f"{C0}.resources.requests.memory", "512Mi", f"{C0}.resources.requests.memory", "less than or equal to memory limit"),
        (f"{C0}.resources.requests.cpu", "1.5GB", f"{C0}.resources.requests.cpu", "quantity"),
        (f"{C0}.resources.requests", {"nvidia.com/gpu": 2}, f"{C0}.resources.requests.nvidia.com/gpu", "equal to nvidia.com/gpu limit"),
        (f"{C0}.livenessProbe", {"httpGet": {"port": 80}, "exec": {"command": ["true"]}}, f"{C0}.livenessProbe", "more than 1 handler"),
        (f"{C0}.livenessProbe", {"periodSeconds": 5}, f"{C0}.livenessProbe", "must specify a handler"),
        (f"{C0}.livenessProbe", {"tcpSocket": {"port": 80}, "successThreshold": 2}, f"{C0}.livenessProbe.successThreshold", "must be 1"),
        (f"{C0}.livenessProbe", {"tcpSocket": {"port": 80}, "failureThreshold": -1}, f"{C0}.livenessProbe.failureThreshold", "greater than or equal to 0"),
        (f"{C0}.volumeMounts.0.name", "cache", f"{C0}.volumeMounts.0.name", "no volume of that name"),
        (f"{POD}.volumes.0.name", "Tmp", f"{POD}.volumes.0.name", "RFC 1123 label"),
        (f"{POD}.volumes.0", {"name": "tmp", "emptyDir": {}, "configMap": {"name": "c"}}, f"{POD}.volumes.0", "exactly one volume source"),
        (f"{POD}.restartPolicy", "Never", f"{POD}.restartPolicy", "Always"),
        (f"{POD}.securityContext", {"runAsUser": -1}, f"{POD}.securityContext.runAsUser", "between 0 and 2147483647"),
        (f"{C0}.securityContext", {"seccompProfile": {"type": "Localhost"}}, f"{C0}.securityContext.seccompProfile.localhostProfile", "Required value"),
        ("spec.strategy", {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}, "spec.strategy.rollingUpdate.maxUnavailable", "may not be 0"),
        ("spec.strategy", {"rollingUpdate": {"maxSurge": "150%"}}, "spec.strategy.rollingUpdate.maxSurge", "100%"),
    ],
)  # fmt: skip
def test_deployment_mistakes(path: str, value: Any, where: str, says: str) -> None:
    assert any(p == where and says in m for p, m in found(mutated(path, value))), found(
        mutated(path, value)
    )


def test_duplicate_container_names() -> None:
    containers = DEPLOYMENT["spec"]["template"]["spec"]["containers"]
    obj = mutated(f"{POD}.containers", [containers[0], containers[0]])
    assert (f"{POD}.containers.1.name", "Duplicate value: 'app'") in found(obj)


def test_env_names_before_relaxed_validation() -> None:
    obj = mutated(f"{C0}.env.0.name", "1PORT")
    assert found(obj, "1.35") == []
    assert any("must not start with a digit" in m for _, m in found(obj, "1.33"))


JOB: dict[str, Any] = {
    "apiVersion": "batch/v1",
    "kind": "CronJob",
    "metadata": {"name": "nightly"},
    "spec": {
        "schedule": "30 2 * * MON-FRI",
        "jobTemplate": {
            "spec": {
                "template": {
                    "spec": {
                        "restartPolicy": "OnFailure",
                        "containers": [{"name": "job", "image": "job:1"}],
                    }
                }
            }
        },
    },
}


@pytest.mark.parametrize(
    ("path", "value", "says"),
    [
        ("spec.schedule", "61 * * * *", "out of range"),
        ("spec.schedule", "* * * *", "exactly 5 fields"),
        ("spec.schedule", "TZ=UTC 0 * * * *", "timeZone field"),
        ("spec.jobTemplate.spec.template.spec.restartPolicy", "Always", "OnFailure"),
        ("metadata.name", "n" * 53, "52 characters"),
        ("spec.jobTemplate.spec.selector", {"matchLabels": {"a": "b"}}, "auto-generated"),
    ],
)
def test_cronjob_mistakes(path: str, value: Any, says: str) -> None:
    assert found(JOB) == []
    assert any(says in m for _, m in found(mutated(path, value, JOB)))


@pytest.mark.parametrize(
    "schedule", ["@hourly", "@every 1h30m", "*/15 * * * *", "0 0 1,15 * ?", "0 9 * JAN-MAR 1-5"]
)
def test_schedules_kubernetes_accepts(schedule: str) -> None:
    assert schedule_problem(schedule) is None


def test_quantities() -> None:
    assert parse_quantity("100m") == parse_quantity("0.1")
    assert parse_quantity("1Ki") == 1024 and parse_quantity("1e3") == 1000
    assert parse_quantity("1.5GB") is None and parse_quantity("") is None


OTHERS: list[tuple[dict[str, Any], str, str]] = [
    (
        {"kind": "Service", "metadata": {"name": "1web"}, "spec": {"ports": [{"port": 80}]}},
        "metadata.name",
        "DNS-1035",
    ),
    (
        {"kind": "Service", "metadata": {"name": "web"}, "spec": {"ports": [{"port": 80}, {"port": 81}]}},
        "spec.ports.0.name",
        "more than one port",
    ),
    (
        {"kind": "Service", "metadata": {"name": "web"}, "spec": {"ports": [{"port": 80, "targetPort": "no_such"}]}},
        "spec.ports.0.targetPort",
        "alpha-numeric",
    ),
    (
        {"kind": "PodDisruptionBudget", "metadata": {"name": "web"}, "spec": {"minAvailable": 1, "maxUnavailable": 1}},
        "spec",
        "cannot be both set",
    ),
    (
        {"kind": "PodDisruptionBudget", "metadata": {"name": "web"}, "spec": {"minAvailable": "120%"}},
        "spec.minAvailable",
        "100%",
    ),
    (
        {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 5, "maxReplicas": 3}},
        "spec.maxReplicas",
        "minReplicas",
    ),
    (
        {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 3, "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization"}}}]}},
        "spec.metrics.0.resource.target.averageUtilization",
        "Required value",
    ),
    (
        {"kind": "NetworkPolicy", "metadata": {"name": "np"}, "spec": {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]}},
        "spec.ingress.0.from.0",
        "more than 1 peer type",
    ),
    (
        {"kind": "NetworkPolicy", "metadata": {"name": "np"}, "spec": {"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["192.168.0.0/16"]}}]}]}},
        "spec.egress.0.to.0.ipBlock.except.0",
        "strict subset",
    ),
    (
        {"kind": "NetworkPolicy", "metadata": {"name": "np"}, "spec": {"podSelector": {}, "egress": [{"ports": [{"port": 90, "endPort": 80}]}]}},
        "spec.egress.0.ports.0.endPort",
        "greater than or equal",
    ),
    (
        {"kind": "PriorityClass", "metadata": {"name": "tier-critical"}, "value": 2_000_000_000},
        "value",
        "maximum allowed value",
    ),
    (
        {"kind": "PriorityClass", "metadata": {"name": "system-mine"}, "value": 10},
        "metadata.name",
        "reserved",
    ),
    (
        {"kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}},
        "spec.template.spec.restartPolicy",
        "OnFailure",
    ),
    (
        {"kind": "Service", "metadata": {"name": "db"}, "spec": {"type": "ExternalName"}},
        "spec.externalName",
        "Required value",
    ),
    (
        {"kind": "Role", "metadata": {"name": "a/b"}},
        "metadata.name",
        "'/'",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("obj", "where", "says"), OTHERS)
def test_other_kinds(obj: dict[str, Any], where: str, says: str) -> None:
    assert any(p == where and says in m for p, m in found(obj)), found(obj)


def test_custom_resources_get_the_metadata_checks_only() -> None:
    widget = {"kind": "Widget", "metadata": {"name": "Bad", "labels": {"x": "y" * 70}}, "spec": {}}
    assert [p for p, _ in problems(widget, "1.35", built_in=False)] == [
        "metadata.name",
        "metadata.labels.x",
    ]


def test_changed_selector_is_immutable_on_upgrade() -> None:
    new = mutated("spec.selector", {"matchLabels": {"app": "web", "tier": "api"}})
    new["spec"]["template"]["metadata"]["labels"] = {"app": "web", "tier": "api"}
    (finding,) = immutable_changes([Obj("old.yaml", DEPLOYMENT)], [Obj("new.yaml", new)])
    assert finding.file == "new.yaml" and finding.object == "Deployment/web"
    assert finding.field == "spec.selector" and "field is immutable" in finding.message
    # Template labels may change; other objects and new objects are not compared.
    relabelled = mutated(f"{POD[:-5]}.metadata.labels", {"app": "web", "v": "2"})
    assert list(immutable_changes([Obj("a", DEPLOYMENT)], [Obj("b", relabelled)])) == []
    renamed = mutated("metadata.name", "web2", new)
    assert list(immutable_changes([Obj("a", DEPLOYMENT)], [Obj("b", renamed)])) == []


def test_objects_with_generate_name_are_created_not_updated() -> None:
    # Argo CD hooks and `kubectl create` Jobs: two of them in one repo, each a new object
    # every time; found on argoproj/argocd-example-apps' sync-waves, where they were
    # compared with each other.
    def job(command: str) -> Obj:
        return Obj(
            "hooks.yaml",
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {"generateName": "hook-"},
                "spec": {"template": {"spec": {"containers": [{"command": [command]}]}}},
            },
        )

    assert list(immutable_changes([job("a"), job("b")], [job("a"), job("b")])) == []
    assert list(immutable_changes([job("a")], [job("c")])) == []


def test_service_cluster_ip_and_immutable_config_maps_on_update() -> None:
    def service(ip: str | None) -> Obj:
        spec: dict[str, object] = {"ports": [{"port": 80}]}
        if ip is not None:
            spec["clusterIP"] = ip
        return Obj(
            "svc.yaml",
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": spec},
        )

    (moved,) = immutable_changes([service("10.0.0.10")], [service("10.0.0.11")])
    assert moved.field == "spec.clusterIP" and "leave spec.clusterIP out" in moved.message
    # Leaving it out keeps the allocated address; setting one where the cluster allocated is
    # refused only when it differs, which offline cannot know.
    assert list(immutable_changes([service("10.0.0.10")], [service(None)])) == []
    assert list(immutable_changes([service(None)], [service("10.0.0.11")])) == []

    def config(data: str, immutable: bool) -> Obj:
        doc = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "c"},
            "data": {"k": data},
        }
        return Obj("cm.yaml", {**doc, "immutable": immutable})

    (changed,) = immutable_changes([config("a", True)], [config("b", True)])
    assert changed.field == "data" and "give it a new name" in changed.message
    assert list(immutable_changes([config("a", False)], [config("b", False)])) == []


SERVICE: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web"},
    "spec": {"selector": LABELS, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]},
}


@pytest.mark.parametrize(
    ("path", "value", "where", "says"),
    [
        (f"{POD}.nodeSelector", {"disk": "fast ssd"}, f"{POD}.nodeSelector.disk", "valid label"),
        (f"{POD}.dnsPolicy", "None", f"{POD}.dnsConfig", "must provide `dnsConfig`"),
        (f"{POD}.dnsConfig", {"nameservers": ["10.0.0.999"]}, f"{POD}.dnsConfig.nameservers.0", "valid IP"),
        (f"{POD}.affinity", {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}}, f"{POD}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms", "at least one"),
        (f"{POD}.affinity", {"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 0, "podAffinityTerm": {"topologyKey": "zone"}}]}}, f"{POD}.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution.0.weight", "1-100"),
        (f"{POD}.readinessGates", [{"conditionType": "a b"}], f"{POD}.readinessGates.0.conditionType", "name part"),
        (f"{POD}.topologySpreadConstraints", [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway", "minDomains": 2}], f"{POD}.topologySpreadConstraints.0.minDomains", "DoNotSchedule"),
        (f"{POD}.serviceAccountName", "Web_SA", f"{POD}.serviceAccountName", "RFC 1123 subdomain"),
        (f"{POD}.tolerations", [{"operator": "Equal", "value": "x"}], f"{POD}.tolerations.0.operator", "key` is empty"),
        (f"{POD}.tolerations", [{"key": "k", "operator": "Exists", "value": "v"}], f"{POD}.tolerations.0.operator", "value must be empty"),
        (f"{POD}.hostAliases", [{"ip": "db", "hostnames": ["db"]}], f"{POD}.hostAliases.0.ip", "valid IP"),
        (f"{POD}.os", {"name": "plan9"}, f"{POD}.os.name", "Unsupported value"),
        (f"{POD}.securityContext", {"sysctls": [{"name": "net.ipv4.ip forward", "value": "1"}]}, f"{POD}.securityContext.sysctls.0.name", "sysctl"),
        (f"{C0}.imagePullPolicy", "Sometimes", f"{C0}.imagePullPolicy", "Unsupported value"),
        (f"{C0}.ports.0.protocol", "HTTP", f"{C0}.ports.0.protocol", "Unsupported value"),
        (f"{C0}.env.0", {"name": "PHASE", "valueFrom": {"fieldRef": {"fieldPath": "status.phase"}}}, f"{C0}.env.0.valueFrom.fieldRef.fieldPath", "Unsupported value"),
        (f"{C0}.livenessProbe", {"exec": {"command": []}}, f"{C0}.livenessProbe.exec.command", "Required value"),
        (f"{C0}.livenessProbe", {"httpGet": {"path": "/", "port": 80, "scheme": "FTP"}}, f"{C0}.livenessProbe.httpGet.scheme", "Unsupported value"),
        (f"{C0}.lifecycle", {"preStop": {"sleep": {"seconds": 60}}}, f"{C0}.lifecycle.preStop.sleep", "terminationGracePeriodSeconds (30)"),
        (f"{C0}.securityContext", {"privileged": True, "allowPrivilegeEscalation": False}, f"{C0}.securityContext", "`privileged` to true"),
        (f"{C0}.volumeMounts.0", {"name": "tmp", "mountPath": "/tmp", "subPath": "../up"}, f"{C0}.volumeMounts.0.subPath", "'..'"),
        (f"{C0}.volumeMounts.0", {"name": "tmp", "mountPath": "/tmp", "recursiveReadOnly": "Enabled"}, f"{C0}.volumeMounts.0.recursiveReadOnly", "readOnly is true"),
        (f"{POD}.volumes.0", {"name": "tmp", "secret": {"secretName": "s", "defaultMode": 511 + 1}}, f"{POD}.volumes.0.secret.defaultMode", "0777"),
        (f"{POD}.volumes.0", {"name": "tmp", "configMap": {"name": "c", "items": [{"key": "k", "path": "/etc/k"}]}}, f"{POD}.volumes.0.configMap.items.0.path", "relative"),
        ("spec.strategy", {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}, "spec.strategy.rollingUpdate", "Recreate"),
        (f"{POD}.initContainers", [{"name": "init", "image": "i", "restartPolicy": "OnFailure"}], f"{POD}.initContainers.0.restartPolicy", "Unsupported value"),
        (f"{POD}.initContainers", [{"name": "init", "image": "i", "readinessProbe": {"tcpSocket": {"port": 80}}}], f"{POD}.initContainers.0.readinessProbe", "restartPolicy=Always"),
        (f"{C0}.ports.0", {"containerPort": 8080, "hostPort": 9090}, f"{C0}.ports.0.hostPort", None),
        (f"{C0}.terminationMessagePolicy", "Sometimes", f"{C0}.terminationMessagePolicy", "Unsupported value"),
        (f"{C0}.env.0", {"name": "T", "valueFrom": {"secretKeyRef": {"name": "s", "key": "a b"}}}, f"{C0}.env.0.valueFrom.secretKeyRef.key", "config key"),
        (f"{C0}.resources", {"claims": [{"name": "gpu"}]}, f"{C0}.resources.claims.0.name", "resourceClaims"),
        (f"{C0}.livenessProbe", {"grpc": {"port": 0}}, f"{C0}.livenessProbe.grpc.port", "between 1 and 65535"),
        (f"{POD}.volumes.0", {"name": "tmp", "emptyDir": {"sizeLimit": "-1Gi"}}, f"{POD}.volumes.0.emptyDir.sizeLimit", "valid resource quantity"),
        (f"{POD}.volumes.0", {"name": "tmp", "projected": {"sources": [{"serviceAccountToken": {"path": "t", "expirationSeconds": 60}}]}}, f"{POD}.volumes.0.projected.sources.0.serviceAccountToken.expirationSeconds", "10 minutes"),
    ],
)  # fmt: skip
def test_upstream_pod_spec_rules(path: str, value: Any, where: str, says: str | None) -> None:
    obj = mutated(path, value)
    if says is None:  # a pod-level switch goes with the container's value
        obj["spec"]["template"]["spec"]["hostNetwork"] = True
        says = "must match `containerPort`"
    assert any(p == where and says in m for p, m in found(obj)), found(obj)


def test_valid_pod_fields_pass() -> None:
    """What the API server accepts, beside each rule above: no false positives."""
    pod = {
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "dnsPolicy": "None",
        "dnsConfig": {"nameservers": ["10.0.0.10"], "searches": ["svc.cluster.local."]},
        "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": LABELS}}]}},
        "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "minDomains": 2}],
        "tolerations": [{"operator": "Exists"}, {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}, {"key": "k", "value": "v", "effect": "NoExecute", "tolerationSeconds": 30}],
        "os": {"name": "linux"},
        "securityContext": {"sysctls": [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}], "fsGroupChangePolicy": "OnRootMismatch"},
        "terminationGracePeriodSeconds": 120,
    }  # fmt: skip
    obj = copy.deepcopy(DEPLOYMENT)
    obj["spec"]["template"]["spec"].update(pod)
    c = obj["spec"]["template"]["spec"]["containers"][0]
    c["imagePullPolicy"] = "IfNotPresent"
    c["env"] += [
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        {"name": "TEAM", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['team']"}}},
        {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}}},
    ]
    c["lifecycle"] = {"preStop": {"sleep": {"seconds": 60}}}
    c["volumeMounts"][0].update(readOnly=True, recursiveReadOnly="IfPossible", subPath="cache/x")
    assert found(obj) == []


@pytest.mark.parametrize(
    ("spec", "where", "says"),
    [
        ({"sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 0}}}, "spec.sessionAffinityConfig.clientIP.timeoutSeconds", "greater than 0"),
        ({"sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 60}}}, "spec.sessionAffinityConfig", "session affinity is None"),
        ({"clusterIP": "10.0.0.300"}, "spec.clusterIP", "valid IP"),
        ({"type": "NodePort", "clusterIP": "None"}, "spec.clusterIP", "NodePort"),
        ({"externalIPs": ["127.0.0.1"]}, "spec.externalIPs.0", "loopback"),
        ({"loadBalancerSourceRanges": ["10.0.0.0/8"]}, "spec.loadBalancerSourceRanges", "LoadBalancer"),
        ({"externalTrafficPolicy": "Local"}, "spec.externalTrafficPolicy", "externally-accessible"),
        ({"type": "ExternalName", "externalName": "db_host", "ports": []}, "spec.externalName", "RFC 1123 subdomain"),
    ],
)  # fmt: skip
def test_service_rules(spec: dict[str, Any], where: str, says: str) -> None:
    obj = copy.deepcopy(SERVICE)
    obj["spec"].update(spec)
    assert any(p == where and says in m for p, m in found(obj)), found(obj)


def test_valid_services_pass() -> None:
    for spec in (
        {"sessionAffinity": "ClientIP"},  # the timeout is defaulted
        {"clusterIP": "None"},
        {
            "clusterIP": "10.96.0.10",
            "externalIPs": ["203.0.113.7"],
            "externalTrafficPolicy": "Local",
        },
        {
            "type": "LoadBalancer",
            "loadBalancerSourceRanges": ["10.0.0.0/8"],
            "externalTrafficPolicy": "Local",
        },
        {"type": "ExternalName", "externalName": "db.example.com.", "ports": []},
    ):
        obj = copy.deepcopy(SERVICE)
        obj["spec"].update(spec)
        assert found(obj) == [], spec


def test_autoscaler_and_claim_rules() -> None:
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "maxReplicas": 3,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Value", "value": "1"}}}],
        },
    }  # fmt: skip
    assert any("target utilization" in m for _, m in found(hpa))
    claim: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "Fast_SSD", "resources": {"requests": {"storage": "1Gi"}}},
    }  # fmt: skip
    assert [p for p, _ in found(claim)] == ["spec.storageClassName"]
    claim["spec"]["storageClassName"] = "gp3"
    assert found(claim) == []
