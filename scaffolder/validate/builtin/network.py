"""Services, NetworkPolicies and PriorityClasses as the API server validates them.

Upstream (k8s.io/kubernetes/pkg/apis/...): core/validation/validation.go ValidateService
(ports named and unique when more than one, port and targetPort ranges, protocols, nodePort
only for NodePort and LoadBalancer, selector labels, clusterIP, externalIPs that are not
special addresses, loadBalancerSourceRanges only for LoadBalancer, externalTrafficPolicy
only for externally-accessible services, session affinity), networking/validation/validation.go
ValidateNetworkPolicySpec (a peer sets ipBlock alone or pod/namespace selectors; ipBlock CIDRs
valid and `except` inside `cidr`; endPort needs a numeric port <= endPort; policyTypes) and
scheduling/validation/validation.go ValidatePriorityClass (value <= 1000000000,
HighestUserDefinablePriority, for names without the reserved system- prefix).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any

from scaffolder.validate.builtin.names import (
    Problem,
    dns1123_label,
    dns1123_subdomain,
    is_ip,
    label_selector,
    labels,
    port_name,
    unsupported,
)

HIGHEST_USER_PRIORITY = 1_000_000_000
PROTOCOLS = ("TCP", "UDP", "SCTP")
MAX_AFFINITY_SECONDS = 86400  # core.MaxClientIPServiceAffinitySeconds


def _port_or_name(value: Any, path: str) -> Iterator[Problem]:
    if isinstance(value, int):
        if not 1 <= value <= 65535:
            yield path, f"Invalid value: {value}: must be between 1 and 65535, inclusive"
    elif isinstance(value, str) and not value.isdigit():
        reason = port_name(value)
        if reason:
            yield path, f"Invalid value {value!r}: {reason}"


def service(obj: Mapping[str, Any], _version: str) -> Iterator[Problem]:
    spec = obj.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    ports = spec.get("ports") or []
    if not ports and kind != "ExternalName" and spec.get("clusterIP") != "None":
        yield "spec.ports", "Required value"
    if kind == "ExternalName" and not spec.get("externalName"):
        yield "spec.externalName", "Required value"
    elif kind == "ExternalName":
        external_name = str(spec["externalName"])
        reason = dns1123_subdomain(external_name.removesuffix("."))
        if reason:
            yield "spec.externalName", f"Invalid value {external_name!r}: {reason}"
    names: set[str] = set()
    seen: set[tuple[Any, Any]] = set()
    for i, port in enumerate(ports):
        path = f"spec.ports.{i}"
        name = port.get("name")
        if len(ports) > 1 and not name:
            yield f"{path}.name", "Required value: when more than one port is defined"
        if name:
            reason = dns1123_label(str(name))
            if reason:
                yield f"{path}.name", f"Invalid value {name!r}: {reason}"
            if name in names:
                yield f"{path}.name", f"Duplicate value: {name!r}"
            names.add(name)
        yield from _port_or_name(port.get("port"), f"{path}.port")
        if isinstance(port.get("port"), str):
            yield f"{path}.port", "Invalid value: must be a number"
        yield from _port_or_name(port.get("targetPort"), f"{path}.targetPort")
        key = (port.get("port"), port.get("protocol", "TCP"))
        if key in seen:
            yield f"{path}", f"Duplicate value: port {key[0]}/{key[1]}"
        seen.add(key)
        if "nodePort" in port and kind not in ("NodePort", "LoadBalancer"):
            yield f"{path}.nodePort", "Forbidden: may not be used when `type` is 'ClusterIP'"
        protocol = port.get("protocol")
        if protocol is not None and protocol not in PROTOCOLS:
            yield unsupported(f"{path}.protocol", protocol, PROTOCOLS)
    yield from labels(spec.get("selector"), "spec.selector")
    yield from _service_addresses(spec, kind)
    yield from _session_affinity(spec)


def _service_addresses(spec: Mapping[str, Any], kind: str) -> Iterator[Problem]:
    """clusterIP(s), externalIPs, loadBalancerSourceRanges, externalTrafficPolicy."""
    cluster_ip = spec.get("clusterIP")
    if cluster_ip == "None" and kind in ("LoadBalancer", "NodePort"):
        yield "spec.clusterIP", f"Invalid value: may not be 'None' for {kind} services"
    elif cluster_ip and cluster_ip != "None" and kind != "ExternalName" and not is_ip(cluster_ip):
        yield (
            "spec.clusterIP",
            f"Invalid value {cluster_ip!r}: must be empty, 'None', or a valid IP address",
        )
    if kind == "ExternalName" and cluster_ip:
        yield "spec.clusterIP", "Forbidden: must be empty for ExternalName services"
    for i, ip in enumerate(spec.get("externalIPs") or []):
        reason = None if is_ip(ip) else "must be a valid IP address"
        reason = reason or _special_ip(str(ip))
        if reason:
            yield f"spec.externalIPs.{i}", f"Invalid value {ip!r}: {reason}"
    ranges = spec.get("loadBalancerSourceRanges") or []
    if ranges and kind != "LoadBalancer":
        yield (
            "spec.loadBalancerSourceRanges",
            "Forbidden: may only be used when `type` is 'LoadBalancer'",
        )
    for i, cidr in enumerate(ranges):
        try:
            ipaddress.ip_network(str(cidr).strip(), strict=False)
        except ValueError:
            yield (
                f"spec.loadBalancerSourceRanges.{i}",
                f"Invalid value {cidr!r}: must be a valid CIDR",
            )
    # validateServiceExternalTrafficPolicy: ExternallyAccessible is LoadBalancer, NodePort,
    # or ClusterIP with externalIPs.
    external = kind in ("LoadBalancer", "NodePort") or (
        kind == "ClusterIP" and spec.get("externalIPs")
    )
    policy = spec.get("externalTrafficPolicy")
    if policy and not external:
        yield (
            "spec.externalTrafficPolicy",
            f"Invalid value {policy!r}: may only be set for externally-accessible services",
        )
    elif policy and policy not in ("Cluster", "Local"):
        yield unsupported("spec.externalTrafficPolicy", policy, ("Cluster", "Local"))


def _session_affinity(spec: Mapping[str, Any]) -> Iterator[Problem]:
    """validateClientIPAffinityConfig; an unset timeout is defaulted (10800 s) first."""
    affinity, config = spec.get("sessionAffinity", "None"), spec.get("sessionAffinityConfig")
    if affinity not in ("None", "ClientIP"):
        yield unsupported("spec.sessionAffinity", affinity, ("ClientIP", "None"))
    elif affinity == "None" and config:
        yield (
            "spec.sessionAffinityConfig",
            "Forbidden: must not be set when session affinity is None",
        )
    elif affinity == "ClientIP" and isinstance(config, Mapping):
        timeout = (config.get("clientIP") or {}).get("timeoutSeconds")
        if isinstance(timeout, int) and not 0 < timeout <= MAX_AFFINITY_SECONDS:
            yield (
                "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                f"Invalid value: {timeout}: must be greater than 0 and less than"
                f" {MAX_AFFINITY_SECONDS}",
            )


def _special_ip(value: str) -> str | None:
    """validateNonSpecialIP: no unspecified, loopback, link-local or link-local multicast."""
    ip = ipaddress.ip_address(value)
    if ip.is_unspecified:
        return "may not be unspecified (0.0.0.0, ::)"
    if ip.is_loopback:
        return "may not be in the loopback range (127.0.0.0/8, ::1/128)"
    if ip.is_link_local:
        return "may not be in the link-local range (169.254.0.0/16, fe80::/10)"
    link_local_multicast = ipaddress.ip_network("224.0.0.0/24" if ip.version == 4 else "ff02::/16")
    if ip in link_local_multicast:
        return "may not be in the link-local multicast range (224.0.0.0/24, ff02::/16)"
    return None


def network_policy(obj: Mapping[str, Any], _version: str) -> Iterator[Problem]:
    spec = obj.get("spec") or {}
    yield from label_selector(spec.get("podSelector"), "spec.podSelector")
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(spec.get(direction) or []):
            path = f"spec.{direction}.{i}"
            for j, peer in enumerate(rule.get(peers_key) or []):
                yield from _peer(peer, f"{path}.{peers_key}.{j}")
            for j, port in enumerate(rule.get("ports") or []):
                yield from _np_port(port, f"{path}.ports.{j}")
    for i, kind in enumerate(spec.get("policyTypes") or []):
        if kind not in ("Ingress", "Egress"):
            yield f"spec.policyTypes.{i}", f"Unsupported value: {kind!r}"


def _peer(peer: Mapping[str, Any], path: str) -> Iterator[Problem]:
    selectors = [k for k in ("podSelector", "namespaceSelector") if k in peer]
    if "ipBlock" in peer and selectors:
        yield path, "Forbidden: may not specify more than 1 peer type"
    elif "ipBlock" not in peer and not selectors:
        yield path, "Required value: must specify a peer"
    for key in selectors:
        yield from label_selector(peer[key], f"{path}.{key}")
    block = peer.get("ipBlock")
    if isinstance(block, dict):
        yield from _ip_block(block, f"{path}.ipBlock")


def _ip_block(block: Mapping[str, Any], path: str) -> Iterator[Problem]:
    try:
        cidr = ipaddress.ip_network(str(block.get("cidr", "")), strict=False)
    except ValueError:
        yield f"{path}.cidr", f"Invalid value {block.get('cidr')!r}: must be a valid CIDR"
        return
    for i, item in enumerate(block.get("except") or []):
        try:
            inner = ipaddress.ip_network(str(item), strict=False)
        except ValueError:
            yield f"{path}.except.{i}", f"Invalid value {item!r}: must be a valid CIDR"
            continue
        if inner.version != cidr.version or not inner.subnet_of(cidr) or inner == cidr:  # type: ignore[arg-type]
            yield f"{path}.except.{i}", f"Invalid value {item!r}: must be a strict subset of `cidr`"


def _np_port(port: Mapping[str, Any], path: str) -> Iterator[Problem]:
    number, end = port.get("port"), port.get("endPort")
    yield from _port_or_name(number, f"{path}.port")
    if end is not None:
        if not isinstance(number, int):
            yield (
                f"{path}.endPort",
                "Required value: may not be specified when `port` is not a number",
            )
        elif isinstance(end, int) and end < number:
            yield (
                f"{path}.endPort",
                f"Invalid value: {end}: must be greater than or equal to `port`",
            )
    protocol = port.get("protocol")
    if protocol is not None and protocol not in ("TCP", "UDP", "SCTP"):
        yield f"{path}.protocol", f"Unsupported value: {protocol!r}"


def priority_class(obj: Mapping[str, Any], _version: str) -> Iterator[Problem]:
    name = str((obj.get("metadata") or {}).get("name", ""))
    value = obj.get("value")
    if name.startswith("system-"):
        if name not in ("system-node-critical", "system-cluster-critical"):
            yield (
                "metadata.name",
                f"Invalid value {name!r}: priority class names with 'system-' prefix are reserved",
            )
    elif isinstance(value, int) and value > HIGHEST_USER_PRIORITY:
        yield (
            "value",
            "Forbidden: maximum allowed value of a user defined priority is"
            f" {HIGHEST_USER_PRIORITY}",
        )
    policy = obj.get("preemptionPolicy")
    if policy is not None and policy not in ("PreemptLowerPriority", "Never"):
        yield "preemptionPolicy", f"Unsupported value: {policy!r}"
