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

import json
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
_UNSET = (_MISSING, "", None)


def value_at(doc: Mapping[str, Any], path: str) -> Any:
    """The value at the dotted ``path`` of ``doc``; a sentinel when it is not there."""
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


def _named(doc: Mapping[str, Any]) -> bool:
    meta = doc.get("metadata")
    return isinstance(meta, Mapping) and bool(meta.get("name"))


def immutable_changes(previous: Iterable[Obj], current: Iterable[Obj]) -> Iterator[Finding]:
    """Errors for every immutable field that differs between the same object's two renders."""
    before = {_key(o.doc): o for o in previous if _named(o.doc)}
    for new in current:
        if not _named(new.doc):
            continue  # generateName: a new object every time it is created, never updated
        old = before.get(_key(new.doc))
        fields = IMMUTABLE.get(new.kind)
        if old is None or not fields:
            continue
        if new.kind in ("ConfigMap", "Secret") and old.doc.get("immutable") is not True:
            continue
        for path in fields:
            was, now = value_at(old.doc, path), value_at(new.doc, path)
            if new.kind == "Service" and (was in _UNSET or now in _UNSET):
                # Allocated by the cluster when unset, and an update that leaves it out keeps
                # the allocated address (patchAllocatedValues in pkg/registry/core/service).
                continue
            if was != now:
                yield Finding(
                    "immutable",
                    new.file,
                    f"field is immutable: the API server refuses to change it from"
                    f" {_show(was)} to {_show(now)}, so kubectl apply, Argo CD and Flux"
                    f" fail on it; {what_to_do(new.kind)}",
                    new.label,
                    path,
                )


# How to roll out a change the API server refuses as an update. A GitOps controller can
# delete and re-create the object itself: Argo CD with the sync options Force=true,Replace=true
# (Replace=true alone is an update and fails the same way; argoproj/argo-cd#5882), Flux with
# the Kustomization's spec.force or the object's kustomize.toolkit.fluxcd.io/force annotation
# (fluxcd/kustomize-controller#787).
GITOPS = (
    "Argo CD sync option Force=true,Replace=true or Flux force (spec.force, or the"
    " kustomize.toolkit.fluxcd.io/force: enabled annotation) re-creates it"
)
_WHAT_TO_DO = {
    # Orphaning keeps the old pods serving while the new object's pods start; the old
    # ReplicaSet or pods are removed by hand once the new ones are ready.
    "workload": "keep the old value, or delete the object with `kubectl delete --cascade=orphan`"
    " before the sync (its pods keep serving); " + GITOPS + " (the pods restart)",
    "Job": "delete the Job before the sync (or let ttlSecondsAfterFinished do it); " + GITOPS,
    "Service": "leave spec.clusterIP out to keep the allocated address, or delete and"
    " re-create the Service (its address changes); " + GITOPS,
    "data": "give it a new name and point the pods at it (a kustomize generator's hash suffix"
    " does that), or delete and re-create it; " + GITOPS,
}


def what_to_do(kind: str) -> str:
    """The way out of an immutable-field change of ``kind``, as one clause."""
    if kind in ("ConfigMap", "Secret"):
        return _WHAT_TO_DO["data"]
    return _WHAT_TO_DO.get(kind, _WHAT_TO_DO["workload"])


def _show(value: Any) -> str:
    return "(unset)" if value is _MISSING else json.dumps(value, sort_keys=True)
