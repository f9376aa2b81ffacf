"""PersistentVolumeClaims and pod volume sources as the API server validates them.

Upstream: k8s.io/kubernetes/pkg/apis/core/validation/validation.go
ValidatePersistentVolumeClaimSpec: at least one access mode, of the known ones; a storage
request that is a positive quantity (unless the claim is filled from a dataSourceRef);
volumeMode Block or Filesystem; a storageClassName that is a DNS subdomain. ValidateVolumes:
an emptyDir sizeLimit not negative; projected serviceAccountToken lifetimes; the configMap,
secret, downwardAPI and projected sources' defaultMode and items' mode in 0..0777, and each
item's key and a relative path without '..' (validateKeyToPath,
validateLocalNonReservedPath).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from scaffolder.validate.builtin.containers import relative_path_problem
from scaffolder.validate.builtin.names import Problem, dns1123_subdomain
from scaffolder.validate.builtin.quantity import parse_quantity

ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")
MAX_MODE = 0o777
_KEYED_SOURCES = ("configMap", "secret", "downwardAPI", "projected")


def pvc(obj: Mapping[str, Any], _version: str) -> Iterator[Problem]:
    spec = obj.get("spec") or {}
    modes = spec.get("accessModes") or []
    if not modes:
        yield "spec.accessModes", "Required value: at least 1 access mode is required"
    for i, mode in enumerate(modes):
        if mode not in ACCESS_MODES:
            yield f"spec.accessModes.{i}", f"Unsupported value: {mode!r}"
    storage_class = spec.get("storageClassName")
    if isinstance(storage_class, str) and storage_class:
        reason = dns1123_subdomain(storage_class)
        if reason:
            yield "spec.storageClassName", f"Invalid value {storage_class!r}: {reason}"
    volume_mode = spec.get("volumeMode")
    if volume_mode is not None and volume_mode not in ("Block", "Filesystem"):
        yield (
            "spec.volumeMode",
            f"Unsupported value: {volume_mode!r}: supported values: Block, Filesystem",
        )
    if "ReadWriteOncePod" in modes and len(modes) > 1:
        yield "spec.accessModes", "Forbidden: may not use ReadWriteOncePod with other access modes"
    storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    if storage is None:
        yield "spec.resources.requests.storage", "Required value"
        return
    quantity = parse_quantity(storage)
    if quantity is None or quantity <= 0:
        yield (
            "spec.resources.requests.storage",
            f"Invalid value {storage!r}: must be a positive quantity",
        )


def _mode(value: Any, path: str) -> Iterator[Problem]:
    if isinstance(value, int) and not 0 <= value <= MAX_MODE:
        yield (
            path,
            f"Invalid value: {value}: must be a number between 0 and 0777 (octal), both inclusive",
        )


def volume_source(volume: Mapping[str, Any], path: str) -> Iterator[Problem]:
    """The file modes and item paths of a volume's configMap, secret, downwardAPI or projected
    source (one volume of a pod spec, at ``path``)."""
    empty_dir = volume.get("emptyDir")
    if isinstance(empty_dir, Mapping) and empty_dir.get("sizeLimit") is not None:
        size = parse_quantity(empty_dir["sizeLimit"])
        if size is None or size < 0:
            yield (
                f"{path}.emptyDir.sizeLimit",
                "Forbidden: SizeLimit field must be a valid resource quantity",
            )
    projected = volume.get("projected")
    for i, projection in enumerate((projected or {}).get("sources") or []):
        token = projection.get("serviceAccountToken")
        if isinstance(token, Mapping):
            yield from _token(token, f"{path}.projected.sources.{i}.serviceAccountToken")
    for key in _KEYED_SOURCES:
        source = volume.get(key)
        if not isinstance(source, Mapping):
            continue
        yield from _mode(source.get("defaultMode"), f"{path}.{key}.defaultMode")
        groups = [(f"{path}.{key}", source)]
        if key == "projected":
            groups = [
                (f"{path}.projected.sources.{i}.{kind}", projection[kind])
                for i, projection in enumerate(source.get("sources") or [])
                for kind in ("configMap", "secret", "downwardAPI")
                if isinstance(projection.get(kind), Mapping)
            ]
        for where, group in groups:
            for i, item in enumerate(group.get("items") or []):
                yield from _item(
                    item,
                    f"{where}.items.{i}",
                    needs_key=key != "downwardAPI" and ".downwardAPI" not in where,
                )


def _item(item: Mapping[str, Any], path: str, *, needs_key: bool) -> Iterator[Problem]:
    if needs_key and not item.get("key"):
        yield f"{path}.key", "Required value"
    target = item.get("path")
    if not target:
        yield f"{path}.path", "Required value"
    else:
        reason = relative_path_problem(str(target))
        if reason is None and str(target).startswith(".."):
            reason = "must not start with '..'"
        if reason:
            yield f"{path}.path", f"Invalid value {target!r}: {reason}"
    yield from _mode(item.get("mode"), f"{path}.mode")


def _token(token: Mapping[str, Any], path: str) -> Iterator[Problem]:
    """validateProjectionSources: a token lives 10 minutes to 2^32 seconds, at a path."""
    seconds = token.get("expirationSeconds")
    if isinstance(seconds, int) and seconds < 600:
        yield (
            f"{path}.expirationSeconds",
            "Invalid value: may not specify a duration less than 10 minutes",
        )
    elif isinstance(seconds, int) and seconds > 1 << 32:
        yield (
            f"{path}.expirationSeconds",
            "Invalid value: may not specify a duration larger than 2^32 seconds",
        )
    if not token.get("path"):
        yield f"{path}.path", "Required value"
