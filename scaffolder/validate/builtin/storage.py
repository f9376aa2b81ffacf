"""PersistentVolumeClaims as the API server validates them.

Upstream: k8s.io/kubernetes/pkg/apis/core/validation/validation.go
ValidatePersistentVolumeClaimSpec: at least one access mode, of the known ones; a storage
request that is a positive quantity (unless the claim is filled from a dataSourceRef).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from scaffolder.validate.builtin.names import Problem
from scaffolder.validate.builtin.quantity import parse_quantity

ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")


def pvc(obj: Mapping[str, Any], _version: str) -> Iterator[Problem]:
    spec = obj.get("spec") or {}
    modes = spec.get("accessModes") or []
    if not modes:
        yield "spec.accessModes", "Required value: at least 1 access mode is required"
    for i, mode in enumerate(modes):
        if mode not in ACCESS_MODES:
            yield f"spec.accessModes.{i}", f"Unsupported value: {mode!r}"
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
