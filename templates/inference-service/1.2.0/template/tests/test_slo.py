"""SLO recording rules, burn-rate alerts and the canary analysis agree with each other."""

from __future__ import annotations

import re
from typing import Any

from manifests import EXPECTED, ROOT, of_kind

Objects = dict[tuple[str, str], dict[str, Any]]


def _rules(base_objects: Objects) -> list[dict[str, Any]]:
    (rule,) = of_kind(base_objects, "PrometheusRule")
    return [r for group in rule["spec"]["groups"] for r in group["rules"]]


def _slug(heading: str) -> str:
    """The anchor MkDocs (and GitHub) give a heading."""
    return re.sub(r"[\s]+", "-", re.sub(r"[^\w\s-]", "", heading.strip().lower()))


def test_alerts_use_defined_recording_rules(base_objects: Objects) -> None:
    rules = _rules(base_objects)
    recorded = {r["record"] for r in rules if "record" in r}
    for alert in (r for r in rules if "alert" in r):
        for used in re.findall(r"\b(inference:[a-z0-9_:]+)", alert["expr"]):
            assert used in recorded, f"{alert['alert']} uses {used}, which no rule records"


def test_alerts_have_severity_summary_and_runbook(base_objects: Objects) -> None:
    runbook = (ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")
    anchors = {_slug(line.lstrip("#")) for line in runbook.splitlines() if line.startswith("#")}
    alerts = [r for r in _rules(base_objects) if "alert" in r]
    assert alerts
    for alert in alerts:
        assert alert["labels"]["severity"] in {"critical", "warning"}
        assert alert["annotations"]["summary"]
        page, _, anchor = alert["annotations"]["runbook"].partition("#")
        assert page == "docs/runbook.md"
        assert anchor in anchors, f"{alert['alert']}: docs/runbook.md has no section #{anchor}"


def test_latency_objective_uses_an_exact_bucket(base_objects: Objects) -> None:
    bound = f'le="{EXPECTED["slo_latency_seconds"]}"'
    slow = [
        r for r in _rules(base_objects) if r.get("record", "").startswith("inference:ttft_slow")
    ]
    assert slow
    for rule in slow:
        assert bound in rule["expr"]


def test_availability_objective_sets_the_error_budget(base_objects: Objects) -> None:
    budget = f"(1 - {EXPECTED['slo_availability']} / 100)"
    burns = [r for r in _rules(base_objects) if r.get("alert") == "InferenceAvailabilityBudgetBurn"]
    assert len(burns) == 2
    for alert in burns:
        assert budget in alert["expr"]


def test_burn_rate_alerts_pair_a_long_and_a_short_window(base_objects: Objects) -> None:
    for alert in _rules(base_objects):
        if not alert.get("alert", "").endswith("BudgetBurn"):
            continue
        windows = re.findall(r"ratio_rate(\d+[mhd])", alert["expr"])
        assert len(windows) == 4, alert["expr"]


def test_canary_analysis_guards_the_rollout(
    base_objects: Objects, workload: dict[str, Any]
) -> None:
    templates = {t["metadata"]["name"]: t for t in of_kind(base_objects, "AnalysisTemplate")}
    if not EXPECTED["canary"]:
        assert templates == {}
        return
    analysis = workload["spec"]["strategy"]["canary"]["analysis"]
    for ref in analysis["templates"]:
        template = templates[ref["templateName"]]
        metrics = {m["name"]: m for m in template["spec"]["metrics"]}
        assert set(metrics) == {"scraped", "error-ratio", "ttft-p95"}
        for metric in metrics.values():
            assert metric["successCondition"]
            assert 'track="canary"' in metric["provider"]["prometheus"]["query"]
        # No data must not pass: the canary fails while Prometheus does not scrape it.
        assert "len(result) > 0" in metrics["scraped"]["successCondition"]
        assert str(EXPECTED["slo_latency_seconds"]) in metrics["ttft-p95"]["successCondition"]
