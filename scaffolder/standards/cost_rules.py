"""Cost-control rules (issue 20): every tenant has a budget, everything is labelled for
showback, and GPU pods are admitted by Kueue or run at a serving priority."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from scaffolder.standards.model import Level, RepoFiles, Rule, Violation
from scaffolder.standards.service_rules import WORKLOADS, containers, pod_specs

OWNERSHIP = ("team", "cost-center")
BUDGET_RECORD = "team:cost_budget:monthly"
TEAM_RECORD = "namespace:team_labels:max"
BUDGET = re.compile(r"^\s*vector\(\s*([0-9.eE+-]+)\s*\)\s*$")
GPU_RESOURCE = re.compile(r"^nvidia\.com/(gpu|mig-.+)$")
QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
# PriorityClasses of serving (cluster-baseline's tiers): the scheduler places them first and
# they outrank training, so their GPUs need no Kueue admission to stay predictable.
SERVING_CLASSES = frozenset({"tier-critical", "tier-standard"})


def _name(obj: Mapping[str, Any]) -> str:
    return f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name', '?')}"


def _recorded(repo: RepoFiles) -> dict[str, list[tuple[str | None, str, Mapping[str, Any]]]]:
    """record name -> (namespace, file, rule) of every recording rule in the repo."""
    out: dict[str, list[tuple[str | None, str, Mapping[str, Any]]]] = {}
    for path, obj in repo.manifests:
        if obj.get("kind") != "PrometheusRule":
            continue
        namespace = (obj.get("metadata") or {}).get("namespace")
        for group in (obj.get("spec") or {}).get("groups") or []:
            for rule in (group or {}).get("rules") or []:
                if isinstance(rule, dict) and "record" in rule:
                    out.setdefault(str(rule["record"]), []).append((namespace, path, rule))
    return out


def _tenant_budgets(repo: RepoFiles) -> Iterator[Violation]:
    recorded = _recorded(repo)
    if TEAM_RECORD not in recorded:
        return  # no showback on this cluster (observability off): nothing to alert with
    budgets: dict[str | None, float] = {}
    for namespace, _path, rule in recorded.get(BUDGET_RECORD, []):
        match = BUDGET.match(str(rule.get("expr", "")))
        budgets[namespace] = float(match.group(1)) if match else 0.0
    for path, obj in repo.manifests:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        if obj.get("kind") == "Namespace" and "scaffolder.dev/tenant" in labels:
            name = obj["metadata"]["name"]
            if budgets.get(name, 0.0) <= 0:
                yield Violation(
                    f"tenant {name} has no monthly budget ({BUDGET_RECORD} in"
                    f" tenants/{name}/budget-alerts.yaml is missing or 0)",
                    path,
                )


def _labelled_for_showback(repo: RepoFiles) -> Iterator[Violation]:
    for path, obj in repo.manifests:
        if obj.get("kind") == "Namespace":
            labels = repo.labels_for(path, obj)
            missing = [k for k in OWNERSHIP if not labels.get(k)]
            if missing:
                yield Violation(f"{_name(obj)} has no {' or '.join(missing)} label", path)
        elif obj.get("kind") in WORKLOADS:
            labels = repo.labels_for(path, obj)
            for spec_meta in _template_labels(obj):
                missing = [k for k in OWNERSHIP if not (spec_meta.get(k) or labels.get(k))]
                if missing:
                    yield Violation(
                        f"{_name(obj)}: its pods have no {' or '.join(missing)} label", path
                    )


def _template_labels(obj: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    spec = obj.get("spec") or {}
    if obj.get("kind") == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    if obj.get("kind") == "JobSet":
        for rj in spec.get("replicatedJobs") or []:
            job = ((rj or {}).get("template") or {}).get("spec") or {}
            yield ((job.get("template") or {}).get("metadata") or {}).get("labels") or {}
        return
    yield ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}


def _gpu_pods_admitted(repo: RepoFiles) -> Iterator[Violation]:
    for path, obj in repo.manifests:
        if obj.get("kind") not in WORKLOADS:
            continue
        object_labels = repo.labels_for(path, obj)
        for spec, template_labels in zip(pod_specs(obj), _template_labels(obj), strict=False):
            gpus = {
                str(r)
                for c in containers(spec)
                for part in ("requests", "limits")
                for r in ((c.get("resources") or {}).get(part) or {})
                if GPU_RESOURCE.match(str(r))
            }
            if not gpus:
                continue
            queued = QUEUE_LABEL in object_labels or QUEUE_LABEL in template_labels
            if not queued and spec.get("priorityClassName") not in SERVING_CLASSES:
                yield Violation(
                    f"{_name(obj)} requests {', '.join(sorted(gpus))} without a Kueue queue"
                    f" ({QUEUE_LABEL}) or a serving PriorityClass"
                    f" ({', '.join(sorted(SERVING_CLASSES))})",
                    path,
                )


BASELINE_RULES = [
    Rule(
        "BSL020",
        "Every tenant has a monthly budget",
        Level.SILVER,
        "Without a budget nobody hears of a team's spend before the invoice.",
        "Give the team a budget (teams[].budget, or `scaffolder new tenant -d monthly_budget=N`).",
        _tenant_budgets,
        family="baseline",
    ),
    Rule(
        "BSL021",
        "Namespaces and workloads carry team and cost-center labels",
        Level.SILVER,
        "Showback charges cost to these labels; unlabelled usage is charged to nobody.",
        "Label every Namespace and pod template with team and cost-center.",
        _labelled_for_showback,
        family="baseline",
    ),
]

SERVICE_RULES = [
    Rule(
        "SVC016",
        "GPU pods go through a Kueue queue or run at a serving priority",
        Level.SILVER,
        "GPUs taken outside Kueue are invisible to quota: Kueue admits training onto them.",
        f"Label the workload {QUEUE_LABEL}: <team>-queue, or give serving pods the"
        " tier-critical PriorityClass.",
        _gpu_pods_admitted,
        family="service",
    ),
]
