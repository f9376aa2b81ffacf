"""The pod-level fields of a PodSpec beyond its containers, as the API server validates them.

Upstream: k8s.io/kubernetes/pkg/apis/core/validation/validation.go ``ValidatePodSpec``, in its
order: nodeSelector (ValidateLabels), dnsPolicy and validatePodDNSConfig (None needs a
dnsConfig with a nameserver; at most 3 nameservers, valid IPs; at most 32 search domains),
validateAffinity (a required node affinity has a term; pod (anti-)affinity terms have a
topologyKey; preferred weights 1..100), validateReadinessGates and validateSchedulingGates
(qualified names, gates unique), validateTopologySpreadConstraints (maxSkew > 0, a
topologyKey, whenUnsatisfiable DoNotSchedule or ScheduleAnyway, each pair once, minDomains
only with DoNotSchedule), the names (serviceAccountName, nodeName, priorityClassName,
runtimeClassName: DNS subdomains; hostname, subdomain: DNS labels), ValidateTolerations,
ValidateHostAliases, ValidatePreemptionPolicy, validateOS and validateLinux, and
validatePodSpecSecurityContext (validateSysctls, fsGroupChangePolicy).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from scaffolder.validate.builtin.names import (
    Problem,
    dns1123_label,
    dns1123_subdomain,
    is_ip,
    label_selector,
    label_value,
    labels,
    qualified_name,
    unsupported,
)

DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
MAX_NAMESERVERS, MAX_SEARCHES = 3, 32
_SYSCTL = re.compile(r"([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?")
_TOLERATION_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def _invalid(path: str, value: Any, reason: str) -> Problem:
    return path, f"Invalid value {value!r}: {reason}"


def _one_of(value: Any, allowed: tuple[str, ...], path: str) -> Iterator[Problem]:
    if value is not None and value not in allowed:
        yield unsupported(path, value, allowed)


def pod_fields(spec: Mapping[str, Any], path: str) -> Iterator[Problem]:
    """Every pod-level check, in ValidatePodSpec's order."""
    yield from labels(spec.get("nodeSelector"), f"{path}.nodeSelector")
    yield from _dns(spec, path)
    if isinstance(spec.get("affinity"), Mapping):
        yield from _affinity(spec["affinity"], f"{path}.affinity")
    for i, gate in enumerate(spec.get("readinessGates") or []):
        reason = qualified_name(str(gate.get("conditionType", "")))
        if reason:
            yield _invalid(
                f"{path}.readinessGates.{i}.conditionType", gate.get("conditionType"), reason
            )
    seen: set[str] = set()
    for i, gate in enumerate(spec.get("schedulingGates") or []):
        name = str(gate.get("name", ""))
        reason = qualified_name(name)
        if reason:
            yield _invalid(f"{path}.schedulingGates.{i}.name", name, reason)
        if name in seen:
            yield f"{path}.schedulingGates.{i}.name", f"Duplicate value: {name!r}"
        seen.add(name)
    yield from _spread(
        spec.get("topologySpreadConstraints") or [], f"{path}.topologySpreadConstraints"
    )
    for field in ("serviceAccountName", "nodeName", "priorityClassName", "runtimeClassName"):
        value = spec.get(field)
        if isinstance(value, str) and value:
            reason = dns1123_subdomain(value)
            if reason:
                yield _invalid(f"{path}.{field}", value, reason)
    for field in ("hostname", "subdomain"):
        value = spec.get(field)
        if isinstance(value, str) and value:
            reason = dns1123_label(value)
            if reason:
                yield _invalid(f"{path}.{field}", value, reason)
    for i, toleration in enumerate(spec.get("tolerations") or []):
        yield from _toleration(toleration, f"{path}.tolerations.{i}")
    for i, alias in enumerate(spec.get("hostAliases") or []):
        if not is_ip(alias.get("ip")):
            yield _invalid(
                f"{path}.hostAliases.{i}.ip", alias.get("ip"), "must be a valid IP address"
            )
        for j, host in enumerate(alias.get("hostnames") or []):
            reason = dns1123_subdomain(str(host))
            if reason:
                yield _invalid(f"{path}.hostAliases.{i}.hostnames.{j}", host, reason)
    yield from _one_of(
        spec.get("preemptionPolicy"), ("PreemptLowerPriority", "Never"), f"{path}.preemptionPolicy"
    )
    yield from _os(spec, path)
    context = spec.get("securityContext")
    if isinstance(context, Mapping):
        yield from _pod_security_context(context, f"{path}.securityContext")


def _dns(spec: Mapping[str, Any], path: str) -> Iterator[Problem]:
    policy = spec.get("dnsPolicy")
    yield from _one_of(policy, DNS_POLICIES, f"{path}.dnsPolicy")
    config = spec.get("dnsConfig")
    if policy == "None":
        if not isinstance(config, Mapping):
            yield (
                f"{path}.dnsConfig",
                "Required value: must provide `dnsConfig` when `dnsPolicy` is None",
            )
            return
        if not config.get("nameservers"):
            yield (
                f"{path}.dnsConfig.nameservers",
                "Required value: must provide at least one DNS nameserver when `dnsPolicy` is None",
            )
    if not isinstance(config, Mapping):
        return
    servers = config.get("nameservers") or []
    if len(servers) > MAX_NAMESERVERS:
        yield (
            f"{path}.dnsConfig.nameservers",
            f"Invalid value: must not have more than {MAX_NAMESERVERS} nameservers",
        )
    for i, server in enumerate(servers):
        if not is_ip(server):
            yield _invalid(f"{path}.dnsConfig.nameservers.{i}", server, "must be valid IP address")
    searches = config.get("searches") or []
    if len(searches) > MAX_SEARCHES:
        yield (
            f"{path}.dnsConfig.searches",
            f"Invalid value: must not have more than {MAX_SEARCHES} search paths",
        )
    for i, search in enumerate(searches):
        domain = str(search).removesuffix(".")
        reason = dns1123_subdomain(domain) if domain else None
        if reason:
            yield _invalid(f"{path}.dnsConfig.searches.{i}", search, reason)
    for i, option in enumerate(config.get("options") or []):
        if not option.get("name"):
            yield f"{path}.dnsConfig.options.{i}", "Required value: Option.Name must not be empty"


def _affinity_term(term: Mapping[str, Any], path: str) -> Iterator[Problem]:
    key = term.get("topologyKey")
    if not key:
        yield f"{path}.topologyKey", "Required value: can not be empty"
    else:
        reason = qualified_name(str(key))
        if reason:
            yield _invalid(f"{path}.topologyKey", key, reason)
    yield from label_selector(term.get("labelSelector"), f"{path}.labelSelector")
    yield from label_selector(term.get("namespaceSelector"), f"{path}.namespaceSelector")


def _affinity(affinity: Mapping[str, Any], path: str) -> Iterator[Problem]:
    node = affinity.get("nodeAffinity") or {}
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
    if isinstance(required, Mapping) and not required.get("nodeSelectorTerms"):
        yield (
            f"{path}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms",
            "Required value: must have at least one node selector term",
        )
    for i, preferred in enumerate(
        node.get("preferredDuringSchedulingIgnoredDuringExecution") or []
    ):
        weight = preferred.get("weight")
        if isinstance(weight, int) and not 1 <= weight <= 100:
            where = (
                f"{path}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution.{i}.weight"
            )
            yield where, f"Invalid value: {weight}: must be in the range 1-100"
    for kind in ("podAffinity", "podAntiAffinity"):
        terms = affinity.get(kind) or {}
        for i, term in enumerate(terms.get("requiredDuringSchedulingIgnoredDuringExecution") or []):
            yield from _affinity_term(
                term, f"{path}.{kind}.requiredDuringSchedulingIgnoredDuringExecution.{i}"
            )
        for i, weighted in enumerate(
            terms.get("preferredDuringSchedulingIgnoredDuringExecution") or []
        ):
            where = f"{path}.{kind}.preferredDuringSchedulingIgnoredDuringExecution.{i}"
            weight = weighted.get("weight")
            if isinstance(weight, int) and not 1 <= weight <= 100:
                yield f"{where}.weight", f"Invalid value: {weight}: must be in the range 1-100"
            yield from _affinity_term(
                weighted.get("podAffinityTerm") or {}, f"{where}.podAffinityTerm"
            )


def _spread(constraints: list[Any], path: str) -> Iterator[Problem]:
    pairs: set[tuple[Any, Any]] = set()
    for i, c in enumerate(constraints):
        where = f"{path}.{i}"
        skew = c.get("maxSkew")
        if isinstance(skew, int) and skew <= 0:
            yield f"{where}.maxSkew", f"Invalid value: {skew}: must be greater than zero"
        if not c.get("topologyKey"):
            yield f"{where}.topologyKey", "Required value: can not be empty"
        when = c.get("whenUnsatisfiable")
        yield from _one_of(when, ("DoNotSchedule", "ScheduleAnyway"), f"{where}.whenUnsatisfiable")
        pair = (c.get("topologyKey"), when)
        if pair in pairs:
            yield where, f"Duplicate value: {{{pair[0]}, {pair[1]}}}"
        pairs.add(pair)
        domains = c.get("minDomains")
        if domains is not None:
            if isinstance(domains, int) and domains <= 0:
                yield f"{where}.minDomains", f"Invalid value: {domains}: must be greater than 0"
            if when != "DoNotSchedule":
                yield (
                    f"{where}.minDomains",
                    "Invalid value: can only use minDomains if whenUnsatisfiable=DoNotSchedule",
                )
        for field in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            yield from _one_of(c.get(field), ("Honor", "Ignore"), f"{where}.{field}")
        yield from label_selector(c.get("labelSelector"), f"{where}.labelSelector")


def _toleration(t: Mapping[str, Any], path: str) -> Iterator[Problem]:
    key, operator, value = t.get("key"), t.get("operator") or "Equal", t.get("value")
    if key:
        reason = qualified_name(str(key))
        if reason:
            yield _invalid(f"{path}.key", key, reason)
    elif operator != "Exists":
        yield (
            f"{path}.operator",
            f"Invalid value {operator!r}: operator must be Exists when `key` is empty",
        )
    if operator == "Exists" and value:
        yield f"{path}.operator", "Invalid value: value must be empty when `operator` is 'Exists'"
    elif operator == "Equal" and value is not None:
        reason = label_value(str(value))
        if reason:
            yield _invalid(f"{path}.value", value, reason)
    elif operator not in ("Exists", "Equal"):
        yield (
            f"{path}.operator",
            f"Unsupported value: {operator!r}: supported values: Equal, Exists",
        )
    effect = t.get("effect")
    if t.get("tolerationSeconds") is not None and effect != "NoExecute":
        yield (
            f"{path}.effect",
            "Invalid value: effect must be 'NoExecute' when `tolerationSeconds` is set",
        )
    if effect:
        yield from _one_of(effect, _TOLERATION_EFFECTS, f"{path}.effect")


def _os(spec: Mapping[str, Any], path: str) -> Iterator[Problem]:
    os_ = spec.get("os")
    if not isinstance(os_, Mapping):
        return
    name = os_.get("name")
    if name not in ("linux", "windows"):
        yield f"{path}.os.name", f"Unsupported value: {name!r}: supported values: linux, windows"
        return
    if name != "linux":
        return
    if (
        isinstance(spec.get("securityContext"), Mapping)
        and "windowsOptions" in spec["securityContext"]
    ):
        yield (
            f"{path}.securityContext.windowsOptions",
            "Forbidden: windows options cannot be set for a linux pod",
        )
    for group in ("initContainers", "containers", "ephemeralContainers"):
        for i, c in enumerate(spec.get(group) or []):
            context = c.get("securityContext")
            if isinstance(context, Mapping) and "windowsOptions" in context:
                where = f"{path}.{group}.{i}.securityContext.windowsOptions"
                yield where, "Forbidden: windows options cannot be set for a linux pod"


def _pod_security_context(context: Mapping[str, Any], path: str) -> Iterator[Problem]:
    names: set[str] = set()
    for i, sysctl in enumerate(context.get("sysctls") or []):
        name = str(sysctl.get("name", ""))
        if not name:
            yield f"{path}.sysctls.{i}.name", "Required value"
        elif len(name) > 253 or not _SYSCTL.fullmatch(name):
            yield _invalid(
                f"{path}.sysctls.{i}.name",
                name,
                "must have at most 253 characters and match the sysctl name pattern",
            )
        if name in names:
            yield f"{path}.sysctls.{i}.name", f"Duplicate value: {name!r}"
        names.add(name)
    yield from _one_of(
        context.get("fsGroupChangePolicy"),
        ("OnRootMismatch", "Always"),
        f"{path}.fsGroupChangePolicy",
    )
