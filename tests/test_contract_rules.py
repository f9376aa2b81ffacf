"""Pure pieces of the platform contract: label selectors, Pod Security levels, store
conditions and listener admission, on hand-made objects (the e2e matrix covers real repos)."""

from __future__ import annotations

from typing import Any

import pytest

from scaffolder.validate.contract import Obj, Pair
from scaffolder.validate.contract_pods import pod_security_problems, selects
from scaffolder.validate.contract_rules import gateway, priority_class
from scaffolder.validate.contract_workloads import secret_store

RESTRICTED_POD: dict[str, Any] = {
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [
        {
            "name": "app",
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
            },
        }
    ],
    "volumes": [{"name": "tmp", "emptyDir": {}}],
}


def obj(kind: str, name: str, namespace: str | None = None, **fields: Any) -> Obj:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    if "labels" in fields:
        meta["labels"] = fields.pop("labels")
    return Obj(
        f"{kind.lower()}.yaml", {"apiVersion": "v1", "kind": kind, "metadata": meta, **fields}
    )


def pair(service: list[Obj], platform: list[Obj]) -> Pair:
    return Pair("prod", service, platform, {}, {})


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ({"matchLabels": {"team": "a"}}, True),
        ({"matchLabels": {"team": "b"}}, False),
        ({"matchExpressions": [{"key": "team", "operator": "In", "values": ["a", "b"]}]}, True),
        ({"matchExpressions": [{"key": "team", "operator": "NotIn", "values": ["a"]}]}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, True),
        ({}, True),
        (None, False),
    ],
)
def test_label_selectors(selector: Any, expected: bool) -> None:
    assert selects(selector, {"team": "a"}) is expected


def test_pod_security_levels() -> None:
    assert pod_security_problems(RESTRICTED_POD, "restricted") == []
    loose = {**RESTRICTED_POD, "securityContext": {}, "hostNetwork": True}
    assert pod_security_problems(loose, "privileged") == []
    assert pod_security_problems(loose, "baseline") == ["hostNetwork is true"]
    problems = pod_security_problems(loose, "restricted")
    assert "container app must run as non-root (runAsNonRoot: true)" in problems
    assert "container app needs seccompProfile RuntimeDefault" in problems
    host_path = {**RESTRICTED_POD, "volumes": [{"name": "h", "hostPath": {"path": "/"}}]}
    assert "volume h is a hostPath" in pod_security_problems(host_path, "baseline")


def test_secret_store_conditions_decide_which_namespaces_it_serves() -> None:
    external = obj(
        "ExternalSecret",
        "app",
        "team-a",
        spec={"secretStoreRef": {"kind": "ClusterSecretStore", "name": "store"}},
    )

    def findings(conditions: list[dict[str, Any]] | None) -> list[str]:
        spec: dict[str, Any] = {"provider": {}}
        if conditions is not None:
            spec["conditions"] = conditions
        platform = [
            obj("ClusterSecretStore", "store", spec=spec),
            obj("Namespace", "team-a", labels={"scaffolder.dev/tenant": "true"}),
        ]
        return [f.message for f in secret_store(pair([external], platform))]

    assert findings(None) == []
    assert findings([{"namespaces": ["team-a"]}]) == []
    assert (
        findings([{"namespaceSelector": {"matchLabels": {"scaffolder.dev/tenant": "true"}}}]) == []
    )
    assert findings([{"namespaceRegexes": ["team-.*"]}]) == []
    (refused,) = findings([{"namespaces": ["team-b"]}])
    assert "does not serve namespace team-a" in refused


def test_gateway_listeners_admit_by_namespace() -> None:
    route = obj(
        "HTTPRoute",
        "app",
        "team-a",
        spec={"parentRefs": [{"name": "gw", "namespace": "gateway-system"}]},
    )

    def findings(allowed: dict[str, Any]) -> list[str]:
        gw = obj(
            "Gateway",
            "gw",
            "gateway-system",
            spec={"listeners": [{"name": "http", "port": 80, "allowedRoutes": allowed}]},
        )
        team = obj("Namespace", "team-a", labels={"scaffolder.dev/tenant": "true"})
        return [f.message for f in gateway(pair([route], [gw, team]))]

    assert findings({"namespaces": {"from": "All"}}) == []
    selector = {"matchLabels": {"scaffolder.dev/tenant": "true"}}
    assert findings({"namespaces": {"from": "Selector", "selector": selector}}) == []
    assert findings({"namespaces": {"from": "Same"}})
    assert findings({})  # the default is Same
    assert findings({"namespaces": {"from": "All"}, "kinds": [{"kind": "GRPCRoute"}]})


def test_priority_classes_may_be_built_in() -> None:
    def deployment(name: str) -> Obj:
        return obj(
            "Deployment",
            "app",
            "team-a",
            spec={"template": {"spec": {"priorityClassName": name, "containers": []}}},
        )

    assert not list(priority_class(pair([deployment("system-cluster-critical")], [])))
    (missing,) = priority_class(pair([deployment("tier-gold")], []))
    assert "'tier-gold' does not exist" in missing.message and missing.peer
