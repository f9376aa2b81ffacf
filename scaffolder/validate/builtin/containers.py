"""Container fields beyond names, ports, resources and probes' shape, as the API server
validates them.

Upstream: k8s.io/kubernetes/pkg/apis/core/validation/validation.go ``validateContainerCommon``
and what it calls: validatePullPolicy, terminationMessagePolicy, validateInitContainers
(restartPolicy Always or none; no probes or hooks without it), validatePodHostNetworkDeps
(hostPort == containerPort), validateResourceClaimNames, validateEnvFrom (one source),
validateConfigMapKeySelector and validateSecretKeySelector (IsConfigMapKey),
validateContainerPorts (protocol TCP, UDP or SCTP),
validateEnvVarValueFrom (validateObjectFieldSelector: the downward API paths an env var may
read; validateContainerResourceFieldSelector), validateExecAction (a command),
validateHTTPGetAction (scheme HTTP or HTTPS, header names), validateSleepAction (at most the
pod's terminationGracePeriodSeconds), validateResizePolicy, ValidateSecurityContext
(privileged or CAP_SYS_ADMIN need allowPrivilegeEscalation; procMount) and
validateVolumeMounts (subPath relative without '..'; subPath and subPathExpr exclusive;
mountPropagation; recursiveReadOnly only on a read-only mount).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from scaffolder.validate.builtin.names import Problem, qualified_name, unsupported

PROTOCOLS = ("TCP", "UDP", "SCTP")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")
_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")
# validEnvDownwardAPIFieldPathExpressions; labels and annotations are read by key.
ENV_FIELD_PATHS = (
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
)
_SUBSCRIPTED = re.compile(r"metadata\.(labels|annotations)\['(.*)'\]")
RESOURCE_FIELDS = tuple(
    f"{part}.{name}"
    for part in ("limits", "requests")
    for name in ("cpu", "memory", "ephemeral-storage")
)
_HEADER_NAME = re.compile(r"[-A-Za-z0-9!#$%&'*+.^_`|~]+")  # an HTTP token (IsHTTPHeaderName)
DEFAULT_GRACE = 30  # SetDefaults_PodSpec terminationGracePeriodSeconds


def container_fields(
    c: Mapping[str, Any], where: str, pod: Mapping[str, Any], group: str
) -> Iterator[Problem]:
    """The checks of validateContainerCommon not made in pods.py, for container ``c`` of the
    pod spec ``pod``, in its ``group`` (containers, initContainers...)."""
    grace = pod.get("terminationGracePeriodSeconds")
    policy = c.get("imagePullPolicy")
    if policy is not None and policy not in PULL_POLICIES:
        yield unsupported(f"{where}.imagePullPolicy", policy, PULL_POLICIES)
    message_policy = c.get("terminationMessagePolicy")
    if message_policy is not None and message_policy not in MESSAGE_POLICIES:
        yield unsupported(f"{where}.terminationMessagePolicy", message_policy, MESSAGE_POLICIES)
    if group == "initContainers":
        yield from _init_container(c, where)
    if pod.get("hostNetwork"):
        for i, port in enumerate(c.get("ports") or []):
            host, number = port.get("hostPort"), port.get("containerPort")
            if host not in (None, 0) and host != number:
                yield (
                    f"{where}.ports.{i}.hostPort",
                    f"Invalid value: {host}: must match `containerPort` when `hostNetwork` is true",
                )
    claims = {str(c.get("name")) for c in pod.get("resourceClaims") or []}
    for i, claim in enumerate((c.get("resources") or {}).get("claims") or []):
        if claim.get("name") not in claims:
            yield (
                f"{where}.resources.claims.{i}.name",
                f"Not found: {claim.get('name')!r}: must be one of the names in"
                " pod.spec.resourceClaims",
            )
    for i, source in enumerate(c.get("envFrom") or []):
        refs = [k for k in ("configMapRef", "secretRef") if k in source]
        if len(refs) != 1:
            yield (
                f"{where}.envFrom.{i}",
                "Invalid value: must specify exactly one of: `configMapRef` or `secretRef`",
            )
        for ref in refs:
            if not (source[ref] or {}).get("name"):
                yield f"{where}.envFrom.{i}.{ref}.name", "Required value"
    for i, port in enumerate(c.get("ports") or []):
        protocol = port.get("protocol")
        if protocol is not None and protocol not in PROTOCOLS:
            yield unsupported(f"{where}.ports.{i}.protocol", protocol, PROTOCOLS)
    for i, var in enumerate(c.get("env") or []):
        source = var.get("valueFrom")
        if isinstance(source, Mapping):
            yield from _env_source(source, f"{where}.env.{i}.valueFrom")
    for _kind, handler, path in handlers(c, where):
        yield from _handler_fields(handler, path, grace)
    yield from _resize_policy(c.get("resizePolicy") or [], f"{where}.resizePolicy")
    context = c.get("securityContext")
    if isinstance(context, Mapping):
        yield from _security_context(context, f"{where}.securityContext")
    for i, mount in enumerate(c.get("volumeMounts") or []):
        yield from _mount(mount, f"{where}.volumeMounts.{i}")


PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
HOOKS = ("postStart", "preStop")


def handlers(c: Mapping[str, Any], where: str) -> Iterator[tuple[str, Mapping[str, Any], str]]:
    """A container's probes and lifecycle hooks: (the probe's or hook's name, its handler,
    its path). pods.py checks their shape, :func:`container_fields` their fields."""
    for probe in PROBES:
        if isinstance(c.get(probe), Mapping):
            yield probe, c[probe], f"{where}.{probe}"
    lifecycle = c.get("lifecycle")
    if not isinstance(lifecycle, Mapping):
        return
    for hook in HOOKS:
        if isinstance(lifecycle.get(hook), Mapping):
            yield hook, lifecycle[hook], f"{where}.lifecycle.{hook}"


def _init_container(c: Mapping[str, Any], where: str) -> Iterator[Problem]:
    """validateInitContainers: restartPolicy only Always (a sidecar); a plain init container
    runs to completion, so it takes no probes and no lifecycle hooks."""
    restart = c.get("restartPolicy")
    if restart is not None and restart != "Always":
        yield unsupported(f"{where}.restartPolicy", restart, ("Always",))
    if restart != "Always":
        for field in ("lifecycle", *PROBES):
            if c.get(field) is not None:
                yield (
                    f"{where}.{field}",
                    "Forbidden: may not be set for init containers without restartPolicy=Always",
                )


def _key_selector(selector: Mapping[str, Any], path: str) -> Iterator[Problem]:
    """validateConfigMapKeySelector / validateSecretKeySelector: a name and a valid key."""
    if not selector.get("name"):
        yield f"{path}.name", "Required value"
    key = str(selector.get("key", ""))
    reason = config_map_key(key)
    if reason:
        yield f"{path}.key", f"Invalid value {key!r}: {reason}"


def config_map_key(key: str) -> str | None:
    """IsConfigMapKey: None when ``key`` may name a ConfigMap or Secret entry."""
    if not key:
        return "Required value"
    if len(key) > 253:
        return "must be no more than 253 characters"
    if not _CONFIG_KEY.fullmatch(key):
        return "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
    if key in (".", "..") or key.startswith(".."):
        return "must not be '.' or '..' or start with '..'"
    return None


def _env_source(source: Mapping[str, Any], path: str) -> Iterator[Problem]:
    for ref in ("configMapKeyRef", "secretKeyRef"):
        if isinstance(source.get(ref), Mapping):
            yield from _key_selector(source[ref], f"{path}.{ref}")
    field_ref = source.get("fieldRef")
    if isinstance(field_ref, Mapping):
        field_path = str(field_ref.get("fieldPath", ""))
        match = _SUBSCRIPTED.fullmatch(field_path)
        if match:
            key = match.group(2).lower() if match.group(1) == "annotations" else match.group(2)
            reason = qualified_name(key)
            if reason:
                yield f"{path}.fieldRef", f"Invalid value {key!r}: {reason}"
        elif field_path not in ENV_FIELD_PATHS:
            yield unsupported(f"{path}.fieldRef.fieldPath", field_path, ENV_FIELD_PATHS)
    resource_ref = source.get("resourceFieldRef")
    if isinstance(resource_ref, Mapping):
        resource = str(resource_ref.get("resource", ""))
        hugepages = resource.startswith(("requests.hugepages-", "limits.hugepages-"))
        if not resource:
            yield f"{path}.resourceFieldRef.resource", "Required value"
        elif resource not in RESOURCE_FIELDS and not hugepages:
            yield unsupported(f"{path}.resourceFieldRef.resource", resource, RESOURCE_FIELDS)


def _handler_fields(handler: Mapping[str, Any], path: str, grace: Any) -> Iterator[Problem]:
    exec_ = handler.get("exec")
    if isinstance(exec_, Mapping) and not exec_.get("command"):
        yield f"{path}.exec.command", "Required value"
    http = handler.get("httpGet")
    if isinstance(http, Mapping):
        scheme = http.get("scheme")
        if scheme is not None and scheme not in ("HTTP", "HTTPS"):
            yield unsupported(f"{path}.httpGet.scheme", scheme, ("HTTP", "HTTPS"))
        for i, header in enumerate(http.get("httpHeaders") or []):
            name = str(header.get("name", ""))
            if not _HEADER_NAME.fullmatch(name):
                yield (
                    f"{path}.httpGet.httpHeaders.{i}.name",
                    f"Invalid value {name!r}: a valid HTTP header must consist of alphanumeric"
                    " characters, '-' and token characters",
                )
    sleep = handler.get("sleep")
    if isinstance(sleep, Mapping) and isinstance(sleep.get("seconds"), int):
        seconds = sleep["seconds"]
        limit = grace if isinstance(grace, int) else DEFAULT_GRACE
        if seconds < 0 or seconds > limit:
            yield (
                f"{path}.sleep",
                f"Invalid value: {seconds}: must be non-negative and less than"
                f" terminationGracePeriodSeconds ({limit})",
            )


def _resize_policy(policies: list[Any], path: str) -> Iterator[Problem]:
    seen: set[Any] = set()
    for i, policy in enumerate(policies):
        resource = policy.get("resourceName")
        if resource in seen:
            yield f"{path}.{i}", f"Duplicate value: {resource!r}"
        seen.add(resource)
        if resource not in ("cpu", "memory"):
            yield unsupported(f"{path}.{i}.resourceName", resource, ("cpu", "memory"))
        restart = policy.get("restartPolicy")
        if restart not in ("NotRequired", "RestartContainer"):
            yield unsupported(
                f"{path}.{i}.restartPolicy", restart, ("NotRequired", "RestartContainer")
            )


def _security_context(context: Mapping[str, Any], path: str) -> Iterator[Problem]:
    if context.get("allowPrivilegeEscalation") is False:
        if context.get("privileged") is True:
            yield (
                path,
                "Invalid value: cannot set `allowPrivilegeEscalation` to false and `privileged`"
                " to true",
            )
        added = (context.get("capabilities") or {}).get("add") or []
        if "CAP_SYS_ADMIN" in added or "SYS_ADMIN" in added:
            yield (
                path,
                "Invalid value: cannot set `allowPrivilegeEscalation` to false and"
                " `capabilities.Add` CAP_SYS_ADMIN",
            )
    proc_mount = context.get("procMount")
    if proc_mount is not None and proc_mount not in ("Default", "Unmasked"):
        yield unsupported(f"{path}.procMount", proc_mount, ("Default", "Unmasked"))


def relative_path_problem(value: str) -> str | None:
    """validateLocalDescendingPath: relative, and no '..' element."""
    if value.startswith("/"):
        return "must be a relative path"
    if ".." in value.replace("\\", "/").split("/"):
        return "must not contain '..'"
    return None


def _mount(mount: Mapping[str, Any], path: str) -> Iterator[Problem]:
    sub_path = mount.get("subPath")
    if isinstance(sub_path, str) and sub_path:
        reason = relative_path_problem(sub_path)
        if reason:
            yield f"{path}.subPath", f"Invalid value {sub_path!r}: {reason}"
        if mount.get("subPathExpr"):
            yield (
                f"{path}.subPathExpr",
                "Invalid value: subPathExpr and subPath are mutually exclusive",
            )
    propagation = mount.get("mountPropagation")
    allowed = ("None", "HostToContainer", "Bidirectional")
    if propagation is not None and propagation not in allowed:
        yield unsupported(f"{path}.mountPropagation", propagation, allowed)
    recursive = mount.get("recursiveReadOnly")
    if recursive is not None:
        if recursive not in ("Disabled", "IfPossible", "Enabled"):
            yield unsupported(
                f"{path}.recursiveReadOnly", recursive, ("Disabled", "IfPossible", "Enabled")
            )
        elif recursive != "Disabled" and not mount.get("readOnly"):
            yield (
                f"{path}.recursiveReadOnly",
                "Forbidden: may only be specified when readOnly is true",
            )
        elif recursive == "Enabled" and propagation not in (None, "None"):
            yield (
                f"{path}.recursiveReadOnly",
                "Forbidden: may only be specified when mountPropagation is None",
            )
