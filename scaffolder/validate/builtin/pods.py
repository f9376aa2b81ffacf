"""Pod specs (of Pods and every workload's template) as the API server validates them.

The pod-level fields are in podspec.py, more container fields in containers.py and volume
sources in storage.py; this module walks the spec and checks what follows.

Upstream: k8s.io/kubernetes/pkg/apis/core/validation/validation.go: ValidatePodSpec,
validateContainers (unique names, ports, env, resources, probes, volume mounts),
validateProbe / validateHandler (exactly one handler; liveness and startup successThreshold
1), ValidateResourceRequirements (requests <= limits; extended resources integral and
requests == limits), validateVolumes (unique DNS-1123 names), validateVolumeMounts (a mount
names a volume; mountPath unique), validateEnv (name; value and valueFrom exclusive;
RelaxedEnvironmentVariableValidation: any printable ASCII but '=' from Kubernetes 1.34).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from scaffolder.validate.builtin.containers import PROBES, container_fields, handlers
from scaffolder.validate.builtin.names import Problem, dns1123_label, port_name
from scaffolder.validate.builtin.podspec import pod_fields
from scaffolder.validate.builtin.quantity import parse_quantity
from scaffolder.validate.builtin.storage import volume_source

_C_IDENTIFIER_ENV = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
_RELAXED_ENV = re.compile(r"[\x20-\x3c\x3e-\x7e]+")  # printable ASCII except '='
_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
_LIFECYCLE_HANDLERS = ("exec", "httpGet", "tcpSocket", "sleep")
_STANDARD_RESOURCES = ("cpu", "memory", "ephemeral-storage")
_MAX_ID = 2_147_483_647
_ENV_SOURCES = ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef")


def _minor(version: str) -> int:
    match = re.match(r"v?1\.(\d+)", version)
    return int(match.group(1)) if match else 99


def pod_spec(spec: Any, path: str, version: str) -> Iterator[Problem]:
    if not isinstance(spec, Mapping):
        return
    volumes = spec.get("volumes") or []
    volume_names: set[str] = set()
    for i, volume in enumerate(volumes):
        name = str(volume.get("name", ""))
        reason = dns1123_label(name)
        if reason:
            yield f"{path}.volumes.{i}.name", f"Invalid value {name!r}: {reason}"
        if name in volume_names:
            yield f"{path}.volumes.{i}.name", f"Duplicate value: {name!r}"
        volume_names.add(name)
        sources = [k for k in volume if k != "name"]
        if len(sources) != 1:
            yield (
                f"{path}.volumes.{i}",
                f"Invalid value: must specify exactly one volume source (found {len(sources)})",
            )
        yield from volume_source(volume, f"{path}.volumes.{i}")
    names: set[str] = set()
    for group in ("initContainers", "containers", "ephemeralContainers"):
        containers = spec.get(group) or []
        if group == "containers" and not containers:
            yield f"{path}.containers", "Required value: a pod needs at least one container"
        for i, container in enumerate(containers):
            where = f"{path}.{group}.{i}"
            name = str(container.get("name", ""))
            if name in names:
                yield f"{where}.name", f"Duplicate value: {name!r}"
            names.add(name)
            yield from _container(container, where, volume_names, version, group)
            yield from container_fields(container, where, spec, group)
    yield from pod_fields(spec, path)
    yield from security_context(spec.get("securityContext"), f"{path}.securityContext")
    for field in ("terminationGracePeriodSeconds", "activeDeadlineSeconds"):
        value = spec.get(field)
        if isinstance(value, int) and value < (1 if field == "activeDeadlineSeconds" else 0):
            yield f"{path}.{field}", f"Invalid value: {value}: must be greater than 0"


def _container(
    c: Mapping[str, Any], where: str, volumes: set[str], version: str, group: str
) -> Iterator[Problem]:
    name = str(c.get("name", ""))
    reason = dns1123_label(name)
    if reason:
        yield f"{where}.name", f"Invalid value {name!r}: {reason}"
    yield from security_context(c.get("securityContext"), f"{where}.securityContext")
    port_names: set[str] = set()
    for i, port in enumerate(c.get("ports") or []):
        p = f"{where}.ports.{i}"
        number = port.get("containerPort")
        if isinstance(number, int) and not 1 <= number <= 65535:
            yield f"{p}.containerPort", f"Invalid value: {number}: must be between 1 and 65535"
        host = port.get("hostPort")
        if isinstance(host, int) and not 0 <= host <= 65535:
            yield f"{p}.hostPort", f"Invalid value: {host}: must be between 1 and 65535"
        if "name" in port:
            reason = port_name(str(port["name"]))
            if reason:
                yield f"{p}.name", f"Invalid value {port['name']!r}: {reason}"
            if port["name"] in port_names:
                yield f"{p}.name", f"Duplicate value: {port['name']!r}"
            port_names.add(port["name"])
    yield from _env(c.get("env") or [], f"{where}.env", version)
    yield from _resources(c.get("resources") or {}, f"{where}.resources")
    for kind, handler, path in handlers(c, where):
        if kind in PROBES:
            yield from _probe(handler, path, kind)
        else:
            yield from _handler(handler, path, _LIFECYCLE_HANDLERS)
    paths: set[str] = set()
    for i, mount in enumerate(c.get("volumeMounts") or []):
        p = f"{where}.volumeMounts.{i}"
        if mount.get("name") not in volumes:
            yield f"{p}.name", f"Not found: {mount.get('name')!r} (no volume of that name)"
        mount_path = mount.get("mountPath")
        if not mount_path:
            yield f"{p}.mountPath", "Required value"
        elif mount_path in paths:
            yield f"{p}.mountPath", f"Invalid value {mount_path!r}: must be unique"
        paths.add(mount_path)


def _env(env: list[Any], path: str, version: str) -> Iterator[Problem]:
    relaxed = _minor(version) >= 34
    for i, var in enumerate(env):
        name = str(var.get("name", ""))
        ok = (_RELAXED_ENV if relaxed else _C_IDENTIFIER_ENV).fullmatch(name)
        if not ok:
            rule = (
                "must consist only of printable ASCII characters other than '='"
                if relaxed
                else "a valid environment variable name must consist of alphabetic characters, "
                "digits, '_', '-', or '.', and must not start with a digit"
            )
            yield f"{path}.{i}.name", f"Invalid value {name!r}: {rule}"
        source = var.get("valueFrom")
        if source is not None:
            if var.get("value"):
                yield (
                    f"{path}.{i}.valueFrom",
                    "Invalid value: may not be specified when `value` is not empty",
                )
            count = sum(1 for k in _ENV_SOURCES if isinstance(source, dict) and k in source)
            if count != 1:
                yield f"{path}.{i}.valueFrom", "Invalid value: must specify exactly one source"


def _resources(resources: Mapping[str, Any], path: str) -> Iterator[Problem]:
    limits = resources.get("limits") or {}
    requests = resources.get("requests") or {}
    parsed: dict[str, dict[str, Decimal]] = {"limits": {}, "requests": {}}
    for part, values in (("limits", limits), ("requests", requests)):
        for name, raw in values.items():
            quantity = parse_quantity(raw)
            if quantity is None:
                yield (
                    f"{path}.{part}.{name}",
                    f"Invalid value {raw!r}: must match the regular expression of a quantity",
                )
                continue
            if quantity < 0:
                yield f"{path}.{part}.{name}", f"Invalid value {raw!r}: must be >= 0"
            if _extended(name) and quantity != quantity.to_integral_value():
                yield f"{path}.{part}.{name}", f"Invalid value {raw!r}: must be an integer"
            parsed[part][name] = quantity
    for name, request in parsed["requests"].items():
        limit = parsed["limits"].get(name)
        if _extended(name):
            if limit is None:
                yield (
                    f"{path}.limits",
                    f"Required value: limit must be set for non overcommitable resources ({name})",
                )
            elif request != limit:
                yield (
                    f"{path}.requests.{name}",
                    f"Invalid value {requests[name]!r}: must be equal to {name} limit"
                    f" {limits[name]!r}",
                )
        elif limit is not None and request > limit:
            yield (
                f"{path}.requests.{name}",
                f"Invalid value {requests[name]!r}: must be less than or equal to {name} limit"
                f" of {limits[name]!r}",
            )


def _extended(name: str) -> bool:
    """Extended resources (nvidia.com/gpu) cannot be overcommitted; hugepages neither."""
    return (
        name not in _STANDARD_RESOURCES
        and not name.startswith("requests.")
        and (
            ("/" in name and not name.startswith("kubernetes.io/")) or name.startswith("hugepages-")
        )
    )


def _probe(probe: Mapping[str, Any], path: str, kind: str) -> Iterator[Problem]:
    """validateProbe, after SetDefaults_Probe turned zero thresholds and times into defaults."""
    yield from _handler(probe, path, _HANDLERS)
    for field in (
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ):
        value = probe.get(field)
        if isinstance(value, int) and value < 0:
            yield f"{path}.{field}", f"Invalid value: {value}: must be greater than or equal to 0"
    grace = probe.get("terminationGracePeriodSeconds")
    if isinstance(grace, int) and grace <= 0:
        yield (
            f"{path}.terminationGracePeriodSeconds",
            f"Invalid value: {grace}: must be greater than 0",
        )
    success = probe.get("successThreshold")
    if kind != "readinessProbe" and isinstance(success, int) and success not in (0, 1):
        yield f"{path}.successThreshold", f"Invalid value: {success}: must be 1"
    if kind == "readinessProbe" and "terminationGracePeriodSeconds" in probe:
        yield (
            f"{path}.terminationGracePeriodSeconds",
            "Forbidden: must not be set for readinessProbes",
        )


def _handler(handler: Mapping[str, Any], path: str, kinds: tuple[str, ...]) -> Iterator[Problem]:
    found = [k for k in kinds if k in handler]
    if len(found) != 1:
        what = (
            "may not specify more than 1 handler type" if found else "must specify a handler type"
        )
        yield path, f"Invalid value: {what} ({', '.join(kinds)})"
    for key in ("httpGet", "tcpSocket", "grpc"):
        port = (handler.get(key) or {}).get("port") if isinstance(handler.get(key), dict) else None
        if isinstance(port, int) and not 1 <= port <= 65535:
            yield f"{path}.{key}.port", f"Invalid value: {port}: must be between 1 and 65535"
        elif isinstance(port, str) and not port.isdigit() and port_name(port):
            yield f"{path}.{key}.port", f"Invalid value {port!r}: {port_name(port)}"


def security_context(context: Any, path: str) -> Iterator[Problem]:
    """ValidatePodSecurityContext / ValidateSecurityContext: user and group IDs in
    0..2147483647 (IsValidUserID, IsValidGroupID); validateSeccompProfileField: Localhost
    needs localhostProfile, which no other type may set."""
    if not isinstance(context, Mapping):
        return
    for field in ("runAsUser", "runAsGroup", "fsGroup"):
        value = context.get(field)
        if isinstance(value, int) and not 0 <= value <= _MAX_ID:
            yield (
                f"{path}.{field}",
                f"Invalid value: {value}: must be between 0 and {_MAX_ID}, inclusive",
            )
    for i, group in enumerate(context.get("supplementalGroups") or []):
        if isinstance(group, int) and not 0 <= group <= _MAX_ID:
            yield (
                f"{path}.supplementalGroups.{i}",
                f"Invalid value: {group}: must be between 0 and {_MAX_ID}, inclusive",
            )
    seccomp = context.get("seccompProfile")
    if isinstance(seccomp, Mapping):
        local = seccomp.get("localhostProfile")
        if seccomp.get("type") == "Localhost" and not local:
            yield (
                f"{path}.seccompProfile.localhostProfile",
                "Required value: must be set when seccomp type is Localhost",
            )
        elif seccomp.get("type") != "Localhost" and local:
            yield (
                f"{path}.seccompProfile.localhostProfile",
                "Invalid value: can only be set when seccomp type is Localhost",
            )
