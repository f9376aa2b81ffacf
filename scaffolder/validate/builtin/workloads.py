"""Workloads, disruption budgets and autoscalers as the API server validates them.

Upstream (k8s.io/kubernetes/pkg/apis/...): apps/validation/validation.go
(ValidateDeploymentSpec, ValidateStatefulSetSpec, ValidateDaemonSetSpec,
ValidateReplicaSetSpec: a non-empty selector that matches the template's labels, replicas >= 0,
maxSurge and maxUnavailable not both 0, progressDeadlineSeconds > minReadySeconds),
batch/validation/validation.go (ValidateJobSpec: restartPolicy OnFailure or Never;
ValidateCronJobSpec: a cron schedule without TZ, a 52-character name),
policy/validation/validation.go (ValidatePodDisruptionBudgetSpec: minAvailable and
maxUnavailable exclusive, percentages up to 100%, unhealthyPodEvictionPolicy) and
autoscaling/validation/validation.go
(ValidateHorizontalPodAutoscalerSpec: 1 <= minReplicas <= maxReplicas, metric targets,
a Pods metric's averageValue, scaling policies and selectPolicy). Deployments: a Recreate
strategy takes no rollingUpdate (ValidateDeploymentStrategy).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from scaffolder.validate.builtin.cron import schedule_problem
from scaffolder.validate.builtin.names import (
    Problem,
    is_empty_selector,
    label_selector,
    labels,
    selector_matches,
)
from scaffolder.validate.builtin.pods import pod_spec

_PERCENT = re.compile(r"(\d+)%")


def _template(spec: Mapping[str, Any], path: str, version: str) -> Iterator[Problem]:
    template = spec.get("template")
    if not isinstance(template, dict):
        return
    meta = template.get("metadata") or {}
    yield from labels(meta.get("labels"), f"{path}.template.metadata.labels")
    yield from pod_spec(template.get("spec"), f"{path}.template.spec", version)


def _selector_and_template(
    spec: Mapping[str, Any], path: str, kind: str, required: bool = True
) -> Iterator[Problem]:
    selector = spec.get("selector")
    if selector is None and not required:
        return
    if is_empty_selector(selector):
        yield f"{path}.selector", f"Invalid value: empty selector is invalid for {kind.lower()}"
        return
    yield from label_selector(selector, f"{path}.selector")
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if isinstance(spec.get("template"), dict) and not selector_matches(selector, template_labels):
        yield (
            f"{path}.template.metadata.labels",
            f"Invalid value: {template_labels!r}: `selector` does not match template `labels`",
        )


def _non_negative(spec: Mapping[str, Any], path: str, *fields: str) -> Iterator[Problem]:
    for field in fields:
        value = spec.get(field)
        if isinstance(value, int) and value < 0:
            yield f"{path}.{field}", f"Invalid value: {value}: must be greater than or equal to 0"


def int_or_percent(value: Any, path: str) -> Iterator[Problem]:
    """ValidatePositiveIntOrPercent + IsNotMoreThan100Percent."""
    if isinstance(value, int):
        if value < 0:
            yield path, f"Invalid value: {value}: must be greater than or equal to 0"
    elif isinstance(value, str):
        match = _PERCENT.fullmatch(value)
        if not match:
            yield path, f"Invalid value {value!r}: must be an integer or percentage (e.g '5%')"
        elif int(match.group(1)) > 100:
            yield path, f"Invalid value {value!r}: must not be greater than 100%"


def _is_zero(value: Any) -> bool:
    return value in (0, "0%", "0")


def apps(obj: Mapping[str, Any], version: str) -> Iterator[Problem]:
    kind, spec = str(obj.get("kind")), obj.get("spec") or {}
    yield from _selector_and_template(spec, "spec", kind)
    yield from _non_negative(spec, "spec", "replicas", "minReadySeconds", "revisionHistoryLimit")
    yield from _template(spec, "spec", version)
    policy = (((spec.get("template") or {}).get("spec")) or {}).get("restartPolicy")
    if policy not in (None, "Always"):
        yield (
            "spec.template.spec.restartPolicy",
            f'Unsupported value: {policy!r}: supported values: "Always"',
        )
    if kind == "Deployment":
        strategy = spec.get("strategy") or {}
        if strategy.get("type") == "Recreate" and strategy.get("rollingUpdate") is not None:
            yield (
                "spec.strategy.rollingUpdate",
                "Forbidden: may not be specified when strategy `type` is 'Recreate'",
            )
        rolling = strategy.get("rollingUpdate") or {}
        surge, unavailable = rolling.get("maxSurge", "25%"), rolling.get("maxUnavailable", "25%")
        yield from int_or_percent(surge, "spec.strategy.rollingUpdate.maxSurge")
        yield from int_or_percent(unavailable, "spec.strategy.rollingUpdate.maxUnavailable")
        if rolling and _is_zero(surge) and _is_zero(unavailable):
            yield (
                "spec.strategy.rollingUpdate.maxUnavailable",
                "Invalid value: may not be 0 when `maxSurge` is 0",
            )
        deadline, ready = spec.get("progressDeadlineSeconds"), spec.get("minReadySeconds", 0)
        if isinstance(deadline, int) and isinstance(ready, int) and deadline <= ready:
            yield (
                "spec.progressDeadlineSeconds",
                f"Invalid value: {deadline}: must be greater than minReadySeconds",
            )


def job(obj: Mapping[str, Any], version: str) -> Iterator[Problem]:
    yield from job_spec(obj.get("spec") or {}, "spec", version)


def job_spec(spec: Mapping[str, Any], path: str, version: str) -> Iterator[Problem]:
    if spec.get("manualSelector"):
        yield from _selector_and_template(spec, path, "Job")
    elif spec.get("selector") is not None:
        yield (
            f"{path}.selector",
            "Invalid value: `selector` will be auto-generated (set manualSelector: true to set it)",
        )
    yield from _non_negative(spec, path, "parallelism", "completions", "backoffLimit")
    yield from _template(spec, path, version)
    policy = (((spec.get("template") or {}).get("spec")) or {}).get("restartPolicy")
    if policy not in ("OnFailure", "Never"):
        yield (
            f"{path}.template.spec.restartPolicy",
            f'Unsupported value: {policy!r}: supported values: "OnFailure", "Never"',
        )


def cronjob(obj: Mapping[str, Any], version: str) -> Iterator[Problem]:
    spec = obj.get("spec") or {}
    name = str((obj.get("metadata") or {}).get("name", ""))
    if len(name) > 52:
        yield "metadata.name", f"Invalid value {name!r}: must be no more than 52 characters"
    schedule = spec.get("schedule")
    if isinstance(schedule, str):
        reason = schedule_problem(schedule)
        if reason:
            yield "spec.schedule", f"Invalid value {schedule!r}: {reason}"
    yield from _non_negative(
        spec,
        "spec",
        "startingDeadlineSeconds",
        "successfulJobsHistoryLimit",
        "failedJobsHistoryLimit",
    )
    job_template = (spec.get("jobTemplate") or {}).get("spec")
    if isinstance(job_template, dict):
        yield from job_spec(job_template, "spec.jobTemplate.spec", version)


def pdb(obj: Mapping[str, Any], _version: str) -> Iterator[Problem]:
    spec = obj.get("spec") or {}
    if "minAvailable" in spec and "maxUnavailable" in spec:
        yield "spec", "Invalid value: minAvailable and maxUnavailable cannot be both set"
    for field in ("minAvailable", "maxUnavailable"):
        if field in spec:
            yield from int_or_percent(spec[field], f"spec.{field}")
    yield from label_selector(spec.get("selector"), "spec.selector")
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in ("IfHealthyBudget", "AlwaysAllow"):
        yield (
            "spec.unhealthyPodEvictionPolicy",
            f"Unsupported value: {policy!r}: supported values: AlwaysAllow, IfHealthyBudget",
        )


_METRIC_SOURCES = {
    "Resource": "resource",
    "Pods": "pods",
    "Object": "object",
    "External": "external",
    "ContainerResource": "containerResource",
}
_TARGET_VALUES = {
    "Utilization": "averageUtilization",
    "AverageValue": "averageValue",
    "Value": "value",
}


def hpa(obj: Mapping[str, Any], _version: str) -> Iterator[Problem]:
    spec = obj.get("spec") or {}
    low, high = spec.get("minReplicas", 1), spec.get("maxReplicas")
    if isinstance(low, int) and low < 1:
        yield "spec.minReplicas", f"Invalid value: {low}: must be greater than or equal to 1"
    if isinstance(high, int) and isinstance(low, int) and high < low:
        yield (
            "spec.maxReplicas",
            f"Invalid value: {high}: must be greater than or equal to `minReplicas`",
        )
    target = spec.get("scaleTargetRef") or {}
    for field in ("kind", "name"):
        if not target.get(field):
            yield f"spec.scaleTargetRef.{field}", "Required value"
    for i, metric in enumerate(spec.get("metrics") or []):
        yield from _metric(metric, f"spec.metrics.{i}")
    behavior = spec.get("behavior") or {}
    for direction in ("scaleUp", "scaleDown"):
        rules = behavior.get(direction)
        if isinstance(rules, dict):
            yield from _scaling_rules(rules, f"spec.behavior.{direction}")


def _metric(metric: Mapping[str, Any], path: str) -> Iterator[Problem]:
    kind = metric.get("type")
    source_key = _METRIC_SOURCES.get(str(kind))
    present = [k for k in _METRIC_SOURCES.values() if k in metric]
    if source_key is None:
        return  # the schema reports an unknown type
    if present != [source_key]:
        yield path, f"Invalid value: must populate exactly the information for metric type {kind!r}"
        return
    source = metric[source_key] or {}
    target = source.get("target") or {}
    value_field = _TARGET_VALUES.get(str(target.get("type")))
    if value_field is None:
        yield f"{path}.{source_key}.target.type", f"Unsupported value: {target.get('type')!r}"
        return
    if target.get(value_field) is None:
        yield (
            f"{path}.{source_key}.target.{value_field}",
            f"Required value: must set {value_field} for target type {target.get('type')}",
        )
    resource = kind in ("Resource", "ContainerResource")  # validateResourceSource
    if resource and target.get("averageUtilization") is None and target.get("averageValue") is None:
        yield (
            f"{path}.{source_key}.target.averageUtilization",
            "Required value: must set either a target raw value or a target utilization",
        )
    if kind == "Pods" and target.get("averageValue") is None:  # validatePodsSource
        yield (
            f"{path}.pods.target.averageValue",
            "Required value: must specify a positive target averageValue",
        )
    if value_field == "averageUtilization" and kind not in ("Resource", "ContainerResource"):
        yield (
            f"{path}.{source_key}.target.type",
            "Invalid value: Utilization is only for resource metrics",
        )
    utilization = target.get("averageUtilization")
    if isinstance(utilization, int) and utilization <= 0:
        yield (
            f"{path}.{source_key}.target.averageUtilization",
            f"Invalid value: {utilization}: must be greater than 0",
        )


def _scaling_rules(rules: Mapping[str, Any], path: str) -> Iterator[Problem]:
    select = rules.get("selectPolicy")
    if select is not None and select not in ("Max", "Min", "Disabled"):
        yield (
            f"{path}.selectPolicy",
            f"Unsupported value: {select!r}: supported values: Disabled, Max, Min",
        )
    window = rules.get("stabilizationWindowSeconds")
    if isinstance(window, int) and not 0 <= window <= 3600:
        yield (
            f"{path}.stabilizationWindowSeconds",
            f"Invalid value: {window}: must be between 0 and 3600",
        )
    for i, policy in enumerate(rules.get("policies") or []):
        period, value = policy.get("periodSeconds"), policy.get("value")
        if isinstance(period, int) and not 1 <= period <= 1800:
            yield (
                f"{path}.policies.{i}.periodSeconds",
                f"Invalid value: {period}: must be between 1 and 1800",
            )
        if isinstance(value, int) and value <= 0:
            yield f"{path}.policies.{i}.value", f"Invalid value: {value}: must be greater than zero"
