"""Contract rule about showback: a service's cost lands on the team its labels name.

The baseline's showback rules (cluster-baseline 1.1.0, platform/configs/cost) charge each
namespace to the values of the namespace labels they read from kube-state-metrics'
``kube_namespace_labels`` (``label_team``, ``label_cost_center``). A service whose pods say
``team: a`` but run in team b's namespace is charged to b, and a namespace without those
labels is charged to nobody. Registered into :data:`scaffolder.validate.contract_rules.RULES`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from scaffolder.validate.contract import Pair
from scaffolder.validate.contract_pods import pod_templates
from scaffolder.validate.contract_rules import finding, rule, service_namespace
from scaffolder.validate.findings import Finding

# The recording rule that maps namespaces to teams (cluster-baseline's cost-rules.yaml).
TEAM_RULE = "namespace:team_labels:max"
# kube-state-metrics exports label `cost-center` as `label_cost_center`.
KSM_LABEL = re.compile(r'"label_([a-z0-9_]+)"')


def aggregated_labels(pair: Pair) -> tuple[str, set[str]] | None:
    """(file: object, Kubernetes labels) the platform's showback aggregates on, if it has one.

    kube-state-metrics turns a label into ``label_<name>`` with every character outside
    [a-zA-Z0-9_] replaced by '_', so ``label_cost_center`` is read back as ``cost-center``
    (the spelling the golden paths stamp).
    """
    for o in pair.of_kind("PrometheusRule", platform=True):
        for group in o.spec().get("groups") or []:
            for r in (group or {}).get("rules") or []:
                if (r or {}).get("record") == TEAM_RULE:
                    names = {m.replace("_", "-") for m in KSM_LABEL.findall(str(r.get("expr")))}
                    return o.where(), names
    return None


@rule("showback")
def showback(pair: Pair) -> Iterator[Finding]:
    """The namespace and pods carry the labels showback aggregates on; pods name its team."""
    found = aggregated_labels(pair)
    ns = service_namespace(pair)
    if found is None or ns is None or ns not in pair.namespaces():
        return
    where, labels = found
    ns_labels = pair.namespace_labels(ns)
    first = next(o for o in pair.service if o.namespace == ns)
    missing = sorted(k for k in labels if not ns_labels.get(k))
    if missing:
        yield finding(
            first,
            f"namespace {ns} has no {' or '.join(missing)} label: showback charges its cost"
            " to no team (add the tenant with `scaffolder new tenant`)",
            where,
            "metadata.namespace",
        )
        return
    for o in pair.service:
        for meta, _pod in pod_templates(o):
            pod_labels = meta.get("labels") or {}
            for key in sorted(labels):
                value = pod_labels.get(key)
                if value is None:
                    yield finding(
                        o,
                        f"its pods carry no {key} label: showback charges them to the namespace's"
                        f" {key} {ns_labels[key]!r}; label them so dashboards and budgets agree",
                        where,
                        "spec.template.metadata.labels",
                    )
                # A service may bill another cost center than its team's namespace (the
                # dashboard then shows the namespace's; OpenCost's UI aggregates by pod
                # label), but never another team.
                elif key == "team" and str(value) != ns_labels[key]:
                    yield finding(
                        o,
                        f"its pods say {key}={value} but run in namespace {ns}, whose {key} is"
                        f" {ns_labels[key]!r}: showback charges them to {ns_labels[key]!r}; deploy"
                        f" to the team's own namespace or fix the label",
                        where,
                        "spec.template.metadata.labels",
                    )
