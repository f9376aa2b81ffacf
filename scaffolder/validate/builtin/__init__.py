"""Built-in validation beyond OpenAPI: what the API server checks for built-in kinds.

The OpenAPI schemas say which fields exist and their types; the API server's Go validation
says much more (name formats, requests <= limits, a selector that matches its template...).
Each module follows one family of upstream validation code and cites it; :func:`problems`
runs the object's metadata checks and its kind's checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from scaffolder.validate.builtin import network, storage, workloads
from scaffolder.validate.builtin.names import Problem, object_meta
from scaffolder.validate.builtin.pods import pod_spec

Check = Callable[[Mapping[str, Any], str], Iterator[Problem]]


def _pod(obj: Mapping[str, Any], version: str) -> Iterator[Problem]:
    yield from pod_spec(obj.get("spec"), "spec", version)


def _pod_template(obj: Mapping[str, Any], version: str) -> Iterator[Problem]:
    yield from pod_spec((obj.get("template") or {}).get("spec"), "template.spec", version)


CHECKS: dict[str, Check] = {
    "Pod": _pod,
    "PodTemplate": _pod_template,
    "Deployment": workloads.apps,
    "StatefulSet": workloads.apps,
    "DaemonSet": workloads.apps,
    "ReplicaSet": workloads.apps,
    "Job": workloads.job,
    "CronJob": workloads.cronjob,
    "PodDisruptionBudget": workloads.pdb,
    "HorizontalPodAutoscaler": workloads.hpa,
    "Service": network.service,
    "NetworkPolicy": network.network_policy,
    "PriorityClass": network.priority_class,
    "PersistentVolumeClaim": storage.pvc,
}


def problems(obj: Mapping[str, Any], version: str, built_in: bool = True) -> Iterator[Problem]:
    """(field path, message) for what the API server would refuse in ``obj``.

    ``built_in`` False (a custom resource): only the metadata checks, which the API server
    applies to every object.
    """
    meta = obj.get("metadata")
    kind = str(obj.get("kind", ""))
    if isinstance(meta, Mapping):
        yield from object_meta(kind, meta)
    check = CHECKS.get(kind) if built_in else None
    if check:
        yield from check(obj, version)
