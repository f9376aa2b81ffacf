"""Names, labels, annotations and label selectors as the API server validates them.

Upstream: k8s.io/apimachinery/pkg/util/validation/validation.go (IsDNS1123Label,
IsDNS1123Subdomain, IsDNS1035Label, IsQualifiedName, IsValidLabelValue, IsValidPortName),
k8s.io/apimachinery/pkg/api/validation/objectmeta.go (ValidateObjectMeta, ValidateAnnotations:
256 KiB in total), k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go
(ValidateLabels, ValidateLabelSelector) and k8s.io/apimachinery/pkg/api/validation/path
(IsValidPathSegmentName, used for RBAC names).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from typing import Any

Problem = tuple[str, str]  # (dotted field path, message)


def unsupported(path: str, value: Any, allowed: tuple[str, ...]) -> Problem:
    """An enumerated field's value outside ``allowed`` (field.NotSupported upstream)."""
    return path, f"Unsupported value: {value!r}: supported values: {', '.join(allowed)}"


_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_QUALIFIED_PART = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_PORT_NAME = re.compile(r"[-a-z0-9]+")
ANNOTATIONS_LIMIT = 256 * 1024  # TotalAnnotationSizeLimitB

# Kinds whose metadata.name is a DNS-1035 label, a DNS-1123 label or an RBAC path segment;
# every other kind's name is a DNS-1123 subdomain (pkg/apis/*/validation Validate*Name).
DNS1035_NAMED = {"Service"}
DNS1123_LABEL_NAMED = {"Namespace"}
PATH_SEGMENT_NAMED = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}


def _label(value: str, pattern: re.Pattern[str], rule: str) -> str | None:
    if len(value) > 63:
        return "must be no more than 63 characters"
    return None if pattern.fullmatch(value) else rule


def dns1123_label(value: str) -> str | None:
    """None when valid, else the reason."""
    return _label(
        value,
        _DNS1123_LABEL,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
        "or '-', and must start and end with an alphanumeric character",
    )


def dns1035_label(value: str) -> str | None:
    return _label(
        value,
        _DNS1035_LABEL,
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
        "start with an alphabetic character, and end with an alphanumeric character",
    )


def dns1123_subdomain(value: str) -> str | None:
    if len(value) > 253:
        return "must be no more than 253 characters"
    if not all(_DNS1123_LABEL.fullmatch(p) for p in value.split(".")):
        return (
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
            "characters, '-' or '.', and must start and end with an alphanumeric character"
        )
    return None


def qualified_name(value: str) -> str | None:
    prefix, slash, name = value.rpartition("/")
    if slash and (not prefix or dns1123_subdomain(prefix)):
        return "prefix part must be a non-empty DNS-1123 subdomain"
    if not name:
        return "name part must be non-empty"
    if len(name) > 63:
        return "name part must be no more than 63 characters"
    if not _QUALIFIED_PART.fullmatch(name):
        return (
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character"
        )
    return None


def label_value(value: str) -> str | None:
    if len(value) > 63:
        return "must be no more than 63 characters"
    if value and not _QUALIFIED_PART.fullmatch(value):
        return (
            "a valid label must be an empty string or consist of alphanumeric characters, "
            "'-', '_' or '.', and must start and end with an alphanumeric character"
        )
    return None


def port_name(value: str) -> str | None:
    """IANA_SVC_NAME: at most 15 lowercase letters, digits and '-', with a letter."""
    if len(value) > 15:
        return "must be no more than 15 characters"
    if not _PORT_NAME.fullmatch(value):
        return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
    if "--" in value:
        return "must not contain consecutive hyphens"
    if not re.search("[a-z]", value):
        return "must contain at least one letter (a-z)"
    if value.startswith("-") or value.endswith("-"):
        return "must not begin or end with a hyphen"
    return None


def is_ip(value: Any) -> bool:
    """IsValidIP: an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(str(value))
    except ValueError:
        return False
    return True


def path_segment(value: str) -> str | None:
    if value in (".", ".."):
        return f"may not be {value!r}"
    if "/" in value or "%" in value:
        return "may not contain '/' or '%'"
    return None


def _invalid(path: str, value: Any, reason: str) -> Problem:
    return path, f"Invalid value {value!r}: {reason}"


def object_meta(kind: str, meta: Mapping[str, Any], namespaced: bool = True) -> Iterator[Problem]:
    """ValidateObjectMeta: name (per kind), namespace, labels and annotations."""
    name = meta.get("name")
    if isinstance(name, str):
        check = (
            dns1035_label
            if kind in DNS1035_NAMED
            else dns1123_label
            if kind in DNS1123_LABEL_NAMED
            else path_segment
            if kind in PATH_SEGMENT_NAMED
            else dns1123_subdomain
        )
        reason = check(name)
        if reason:
            yield _invalid("metadata.name", name, reason)
    elif not meta.get("generateName"):
        yield "metadata.name", "Required value: name or generateName is required"
    namespace = meta.get("namespace")
    if isinstance(namespace, str) and namespaced:
        reason = dns1123_label(namespace)
        if reason:
            yield _invalid("metadata.namespace", namespace, reason)
    yield from labels(meta.get("labels"), "metadata.labels")
    yield from annotation_map(meta.get("annotations"), "metadata.annotations")


def labels(values: Any, path: str) -> Iterator[Problem]:
    if not isinstance(values, dict):
        return
    for key, value in values.items():
        reason = qualified_name(str(key))
        if reason:
            yield _invalid(f"{path}.{key}", key, f"label key: {reason}")
        if isinstance(value, str):
            reason = label_value(value)
            if reason:
                yield _invalid(f"{path}.{key}", value, reason)


def annotation_map(values: Any, path: str) -> Iterator[Problem]:
    if not isinstance(values, dict):
        return
    size = 0
    for key, value in values.items():
        reason = qualified_name(str(key).lower())
        if reason:
            yield _invalid(f"{path}.{key}", key, f"annotation key: {reason}")
        size += len(str(key)) + len(str(value))
    if size > ANNOTATIONS_LIMIT:
        yield path, f"Too long: may not be more than {ANNOTATIONS_LIMIT} bytes (is {size})"


def label_selector(selector: Any, path: str) -> Iterator[Problem]:
    """ValidateLabelSelector: valid labels; In/NotIn need values, Exists/DoesNotExist none."""
    if not isinstance(selector, dict):
        return
    yield from labels(selector.get("matchLabels"), f"{path}.matchLabels")
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        where = f"{path}.matchExpressions.{i}"
        key, op, values = expr.get("key", ""), expr.get("operator"), expr.get("values") or []
        reason = qualified_name(str(key))
        if reason:
            yield _invalid(f"{where}.key", key, reason)
        if op in ("In", "NotIn") and not values:
            yield (
                f"{where}.values",
                "Required value: must be specified when `operator` is 'In' or 'NotIn'",
            )
        elif op in ("Exists", "DoesNotExist") and values:
            yield (
                f"{where}.values",
                "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            )
        elif op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            yield f"{where}.operator", f"Unsupported value: {op!r}"
        for value in values:
            reason = label_value(str(value))
            if reason:
                yield _invalid(f"{where}.values", value, reason)


def selector_matches(selector: Any, target: Any) -> bool:
    """Whether a LabelSelector selects the labels ``target`` (meta/v1 LabelSelectorAsSelector)."""
    if not isinstance(selector, dict):
        return False
    target = target if isinstance(target, dict) else {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if str(target.get(key)) != str(value) or key not in target:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        present = key in target
        if op == "In" and not (present and str(target[key]) in map(str, values)):
            return False
        if op == "NotIn" and present and str(target[key]) in map(str, values):
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True


def is_empty_selector(selector: Any) -> bool:
    return not isinstance(selector, dict) or not (
        selector.get("matchLabels") or selector.get("matchExpressions")
    )
