"""Services, route, autoscaler, disruption budget and network policy fit the workload."""

from __future__ import annotations

from typing import Any

from manifests import EXPECTED, of_kind

Objects = dict[tuple[str, str], dict[str, Any]]


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def test_every_service_selects_the_pods(base_objects: Objects, workload: dict[str, Any]) -> None:
    pod_labels = workload["spec"]["template"]["metadata"]["labels"]
    services = of_kind(base_objects, "Service")
    assert services
    for service in services:
        assert _selects(service["spec"]["selector"], pod_labels), service["metadata"]["name"]
        ports = {p["name"]: p for p in service["spec"]["ports"]}
        assert ports["http"]["targetPort"] == "http"


def test_workload_selector_matches_its_pods(workload: dict[str, Any]) -> None:
    selector = workload["spec"]["selector"]["matchLabels"]
    assert _selects(selector, workload["spec"]["template"]["metadata"]["labels"])


def test_route_attaches_to_the_shared_gateway(base_objects: Objects) -> None:
    (route,) = of_kind(base_objects, "HTTPRoute")
    parents = route["spec"]["parentRefs"]
    assert [(p["name"], p["namespace"]) for p in parents] == [
        (EXPECTED["gateway"], EXPECTED["gateway_namespace"])
    ]


def test_route_backends_are_services_of_this_repo(base_objects: Objects) -> None:
    (route,) = of_kind(base_objects, "HTTPRoute")
    services = {s["metadata"]["name"]: s for s in of_kind(base_objects, "Service")}
    for rule in route["spec"]["rules"]:
        for backend in rule["backendRefs"]:
            service = services[backend["name"]]
            assert backend["port"] in {p["port"] for p in service["spec"]["ports"]}
        if EXPECTED["canary"]:
            names = [b["name"] for b in rule["backendRefs"]]
            assert names == [f"{EXPECTED['name']}-stable", f"{EXPECTED['name']}-canary"]
            assert sum(b["weight"] for b in rule["backendRefs"]) == 100


def test_canary_traffic_is_routed_through_the_route(
    base_objects: Objects, workload: dict[str, Any]
) -> None:
    if not EXPECTED["canary"]:
        return
    canary = workload["spec"]["strategy"]["canary"]
    services = {s["metadata"]["name"] for s in of_kind(base_objects, "Service")}
    assert {canary["stableService"], canary["canaryService"]} <= services
    (route,) = of_kind(base_objects, "HTTPRoute")
    plugin = canary["trafficRouting"]["plugins"]["argoproj-labs/gatewayAPI"]
    assert plugin["httpRoute"] == route["metadata"]["name"]
    assert plugin["namespace"] == EXPECTED["namespace"]


def test_autoscaler_scales_the_workload(base_objects: Objects, workload: dict[str, Any]) -> None:
    (hpa,) = of_kind(base_objects, "HorizontalPodAutoscaler")
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"], target["name"]) == (
        workload["apiVersion"],
        workload["kind"],
        workload["metadata"]["name"],
    )
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


def test_disruption_budget_covers_the_pods(base_objects: Objects, workload: dict[str, Any]) -> None:
    (pdb,) = of_kind(base_objects, "PodDisruptionBudget")
    pod_labels = workload["spec"]["template"]["metadata"]["labels"]
    assert _selects(pdb["spec"]["selector"]["matchLabels"], pod_labels)


def test_network_policy_admits_the_gateway(base_objects: Objects, workload: dict[str, Any]) -> None:
    (policy,) = of_kind(base_objects, "NetworkPolicy")
    pod_labels = workload["spec"]["template"]["metadata"]["labels"]
    assert _selects(policy["spec"]["podSelector"]["matchLabels"], pod_labels)
    sources = [
        peer.get("namespaceSelector", {}).get("matchLabels", {})
        for rule in policy["spec"]["ingress"]
        for peer in rule["from"]
    ]
    # The proxies' namespace, labelled by the platform (Envoy Gateway runs them in
    # envoy-gateway-system, not in the Gateway's namespace).
    assert {"scaffolder.dev/ingress": "true"} in sources
    ports = {p["port"] for rule in policy["spec"]["ingress"] for p in rule["ports"]}
    assert ports == {EXPECTED["port"]}


def test_service_monitor_scrapes_one_service(base_objects: Objects) -> None:
    (monitor,) = of_kind(base_objects, "ServiceMonitor")
    selector = monitor["spec"]["selector"]["matchLabels"]
    scraped = [
        s["metadata"]["name"]
        for s in of_kind(base_objects, "Service")
        if _selects(selector, {**s["metadata"].get("labels", {}), **_common_labels()})
    ]
    # Scraping the stable or canary Service too would count every request twice.
    assert scraped == [EXPECTED["name"]]
    assert monitor["spec"]["endpoints"][0]["port"] == "http"


def _common_labels() -> dict[str, str]:
    """Labels kustomize adds to every object (deploy/base/kustomization.yaml)."""
    return {"app.kubernetes.io/name": EXPECTED["name"]}
