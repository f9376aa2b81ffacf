"""Fields the API server refuses to change on update: the upgrade that cannot be applied.

A selector changed between a repo's previous render and the new one passes every create-time
check and fails at ``kubectl apply`` (or in Argo CD / Flux) with "field is immutable".
Upstream: k8s.io/kubernetes/pkg/apis/apps/validation/validation.go
(ValidateDeploymentUpdate, ValidateReplicaSetUpdate, ValidateDaemonSetUpdate: spec.selector;
ValidateStatefulSetUpdate: everything but replicas, template, updateStrategy, ordinals,
persistentVolumeClaimRetentionPolicy and minReadySeconds), batch/validation/validation.go
(ValidateJobSpecUpdate: selector and template), core/validation/validation.go
(ValidateServiceUpdate: clusterIP once set; ValidateConfigMapUpdate / ValidateSecretUpdate:
data of an immutable one).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from scaffolder.validate.findings import Finding
from scaffolder.validate.rules import Obj

IMMUTABLE: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec.selector",),
    "ReplicaSet": ("spec.selector",),
    "DaemonSet": ("spec.selector",),
    "StatefulSet": (
        "spec.selector",
        "spec.serviceName",
        "spec.volumeClaimTemplates",
        "spec.podManagementPolicy",
    ),
    "Job": ("spec.selector", "spec.template"),
    "Service": ("spec.clusterIP",),
    "ConfigMap": ("data", "binaryData"),
    "Secret": ("data", "stringData"),
}
_MISSING = object()


def _get(doc: Mapping[str, Any], path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _key(doc: Mapping[str, Any]) -> tuple[str, str, str, str]:
    meta = doc.get("metadata") or {}
    group = str(doc.get("apiVersion", "")).rpartition("/")[0]
    return group, str(doc.get("kind")), str(meta.get("namespace", "")), str(meta.get("name"))


def immutable_changes(previous: Iterable[Obj], current: Iterable[Obj]) -> Iterator[Finding]:
    """Errors for every immutable field that differs between the same object's two renders."""
    before = {_key(o.doc): o for o in previous}
    for new in current:
        old = before.get(_key(new.doc))
        fields = IMMUTABLE.get(new.kind)
        if old is None or not fields:
            continue
        if new.kind in ("ConfigMap", "Secret") and old.doc.get("immutable") is not True:
            continue
        for path in fields:
            was, now = _get(old.doc, path), _get(new.doc, path)
            if new.kind == "Service" and was in (_MISSING, "", None):
                continue  # allocated by the cluster; only a set address is fixed
            if was != now:
                yield Finding(
                    "immutable",
                    new.file,
                    f"field is immutable: the API server refuses to change it from"
                    f" {_show(was)} to {_show(now)}; delete and re-create the object"
                    " (or keep the old value)",
                    new.label,
                    path,
                )


def _show(value: Any) -> str:
    return "(unset)" if value is _MISSING else repr(value)
