"""Showback, budgets and the reaper of cluster-baseline 1.1.0: every PromQL expression of the
generated rules and dashboard parses with a real PromQL parser and names only metrics the
baseline's exporters produce (or its own recording rules record); the reaper's own tests pass
in the generated repo."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

from scaffolder.catalog import load_catalog
from scaffolder.generate import generate, plan
from scaffolder.standards import run_standards
from tests.e2e.test_baselines import MATRIX
from tests.exporter_metrics import exported
from tests.helpers import run_cli

CASES = ["argo-all-on", "flux-cilium-onprem-nosharing", "flux-calico-gcp-mig-mixed"]
GRAFANA_VARIABLES = {"$team": ".+", "$namespace": ".+"}


@pytest.fixture(scope="module", params=CASES)
def baseline(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp(request.param) / "baseline"
    data = {"cluster_name": "prod-eu", **MATRIX[request.param]}
    generate(plan(load_catalog(), "cluster-baseline", data=data), dest, git=False)
    return dest


def rules_of(repo: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(repo.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict) and doc.get("kind") == "PrometheusRule":
                for group in doc["spec"]["groups"]:
                    for rule in group["rules"]:
                        yield str(path.relative_to(repo)), rule


def dashboard_queries(repo: Path) -> Iterator[str]:
    board = json.loads((repo / "platform/configs/cost/showback-dashboard.json").read_text())
    for panel in board["panels"]:
        for target in panel["targets"]:
            expr = target["expr"]
            for name, value in GRAFANA_VARIABLES.items():
                expr = expr.replace(name, value)
            yield expr
    for variable in board["templating"]["list"]:
        if variable["type"] == "query":
            # label_values(<selector>, label) is Grafana's, not PromQL: check its selector.
            inner = variable["query"]["query"].removeprefix("label_values(").rsplit(",", 1)[0]
            yield inner.replace("$team", ".+")


def metric_names(expr: str) -> set[str]:
    names: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            if node.name:
                names.add(node.name)
            else:
                names.update(m.value for m in node.matchers.matchers if m.name == "__name__")

    promql_parser.walk(promql_parser.parse(expr), pre_visit=visit)
    return names


def test_every_rule_and_panel_parses_and_names_exported_or_recorded_metrics(
    baseline: Path,
) -> None:
    found = list(rules_of(baseline))
    recorded = {rule["record"] for _, rule in found if "record" in rule}
    alerts = {rule["alert"] for _, rule in found if "alert" in rule}
    assert {
        "TeamBudgetForecast80",
        "TeamBudgetReached100",
        "TeamGPUHourBudgetForecast100",
    } <= alerts
    assert "team:opencost_cost:month_forecast" in recorded
    known = exported() | recorded
    exprs = [(where, rule["expr"]) for where, rule in found]
    exprs += [("showback-dashboard.json", q) for q in dashboard_queries(baseline)]
    unknown = {}
    for where, expr in exprs:
        missing = metric_names(str(expr)) - known
        if missing:
            unknown[f"{where}: {expr}"] = sorted(missing)
    assert unknown == {}
    assert len(exprs) > 30


def test_every_team_alert_links_its_generated_runbook(baseline: Path) -> None:
    base = "https://git.example.com/platform/prod-eu-baseline/blob/main/docs/runbooks/"
    links = {
        rule["alert"]: rule["annotations"]["runbook_url"]
        for _, rule in rules_of(baseline)
        if "alert" in rule and rule["alert"].startswith("Team")
    }
    assert links["TeamWorkloadsFlaggedByReaper"] == base + "gpu-reaper.md"
    assert {v for k, v in links.items() if "Budget" in k} == {base + "team-budget.md"}
    for page in {v.removeprefix(base) for v in links.values()}:
        assert (baseline / "docs/runbooks" / page).is_file(), page


def test_a_broken_query_is_refused_by_the_parser() -> None:
    with pytest.raises(ValueError):
        metric_names("sum by (team) (rate(x[5m])) > 0.8 * on(team) group_left y")
    assert metric_names('avg_over_time(a[1h]) / on () group_left () {__name__="b"}') == {"a", "b"}


def test_the_reaper_passes_its_own_tests_and_its_query_is_promql(baseline: Path) -> None:
    reaper = baseline / "platform/configs/cost/reaper"
    run = subprocess.run(
        [sys.executable, "-m", "unittest", "-q", "test_reaper"],
        cwd=reaper,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "Ran 8 tests" in run.stderr
    sys.path.insert(0, str(reaper))
    try:
        import reaper as module  # type: ignore[import-not-found]

        class Capture:
            def __init__(self) -> None:
                self.queries: list[str] = []

            def query(self, promql: str) -> list[dict[str, Any]]:
                self.queries.append(promql)
                return []

        cfg = module.Config.from_env({"PROMETHEUS_URL": "http://p"})
        capture = Capture()
        module.idle_gpu_pods(capture, "ml-research", 4, cfg)
        assert metric_names(capture.queries[0]) <= exported()
    finally:
        sys.path.remove(str(reaper))
        sys.modules.pop("reaper", None)


def rule_result(repo: Path, family: str, rule_id: str) -> list[str]:
    report = run_standards(repo, family)
    result = next(r for r in report.results if r.rule.id == rule_id)
    return [v.message for v in result.violations]


def test_a_tenant_without_a_budget_fails_bsl020(tmp_path: Path) -> None:
    teams = [
        {"name": "search", "cpu": "8", "memory": "32Gi", "gpu": 0},
        {"name": "ranking", "cpu": "8", "memory": "32Gi", "gpu": 0, "budget": 500},
    ]
    data = {"cluster_name": "prod-eu", **MATRIX["argo-all-on"], "teams": teams}
    generate(plan(load_catalog(), "cluster-baseline", data=data), tmp_path, git=False)
    assert rule_result(tmp_path, "baseline", "BSL020") == [
        "tenant search has no monthly budget (team:cost_budget:monthly in"
        " tenants/search/budget-alerts.yaml is missing or 0)"
    ]
    assert rule_result(tmp_path, "baseline", "BSL021") == []


def test_gpu_pods_outside_kueue_and_serving_priority_fail_svc016(tmp_path: Path) -> None:
    def deployment(name: str, labels: dict[str, str], priority: str | None) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "containers": [{"name": "c", "resources": {"limits": {"nvidia.com/gpu": 1}}}]
        }
        if priority:
            spec["priorityClassName"] = priority
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name},
            "spec": {"template": {"metadata": {"labels": labels}, "spec": spec}},
        }

    docs = [
        deployment("notebook", {}, None),
        deployment("trainer", {"kueue.x-k8s.io/queue-name": "a-queue"}, None),
        deployment("chat", {}, "tier-critical"),
        deployment("batch", {}, "tier-best-effort"),
    ]
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy/all.yaml").write_text(yaml.safe_dump_all(docs))
    assert rule_result(tmp_path, "service", "SVC016") == [
        f"Deployment/{n} requests nvidia.com/gpu without a Kueue queue"
        " (kueue.x-k8s.io/queue-name) or a serving PriorityClass (tier-critical, tier-standard)"
        for n in ("notebook", "batch")
    ]


def test_a_tenant_brings_its_budgets_reaping_policy_and_serving_reserve(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo = tmp_path / "baseline"
    data = {"cluster_name": "prod-eu", **MATRIX["argo-all-on"], "cost_currency": "EUR"}
    generate(plan(load_catalog(), "cluster-baseline", data=data), repo)
    answers = [
        "team=search",
        "gpu_quota=4",
        "monthly_budget=1000",
        "gpu_hour_budget=300",
        "reaping_policy=delete",
        "gpu_idle_hours=8",
        "gpu_serving_reserve=3",
    ]
    r = run_cli(capsys, "new", "tenant", repo, *[a for d in answers for a in ("-d", d)])
    assert r.code == 0, r.err
    tenant = repo / "tenants/search"
    labels = yaml.safe_load((tenant / "namespace.yaml").read_text())["metadata"]["labels"]
    assert labels["scaffolder.dev/reaping"] == "delete"
    assert labels["scaffolder.dev/gpu-idle-hours"] == "8"
    training, serving = yaml.safe_load_all((tenant / "clusterqueue.yaml").read_text())
    # 1 of the 4 GPUs trains on the training pool; 3 serve on the serving pool, never lent.
    (flavor,) = training["spec"]["resourceGroups"][1]["flavors"]
    assert (flavor["name"], flavor["resources"][0]["nominalQuota"]) == ("gpu-training", 1)
    assert serving["metadata"]["name"] == "search-serving"
    (flavor,) = serving["spec"]["resourceGroups"][1]["flavors"]
    gpu = flavor["resources"][0]
    assert (flavor["name"], gpu["nominalQuota"], gpu["lendingLimit"]) == ("gpu-serving", 3, 0)
    assert (
        serving["spec"]["resourceGroups"][0]["flavors"][0]["resources"][0]["nominalQuota"] == "24"
    )
    queues = {
        q["metadata"]["name"]: q["spec"]["clusterQueue"]
        for q in yaml.safe_load_all((tenant / "localqueue.yaml").read_text())
    }
    assert queues == {"search-queue": "search", "serving-queue": "search-serving"}
    # The tenant golden path renders what the baseline renders for its own teams.
    own = list(yaml.safe_load_all((repo / "tenants/inference/clusterqueue.yaml").read_text()))
    assert [q["metadata"]["name"] for q in own] == ["inference", "inference-serving"]
    rules = {r.get("alert") or r["record"]: r for _, r in rules_of(tenant)}
    assert rules["team:cost_budget:monthly"]["expr"] == "vector(1000.0)"
    assert rules["team:gpu_hours_budget:monthly"]["expr"] == "vector(300)"
    forecast = rules["TeamBudgetForecast80"]
    assert forecast["expr"].startswith('team:opencost_cost:month_forecast{team="search"} >= 800.0')
    # The currency and the runbook's repo come from the baseline's record.
    assert "EUR" in forecast["annotations"]["summary"]
    assert forecast["annotations"]["runbook_url"] == (
        "https://git.example.com/platform/prod-eu-baseline/blob/main/docs/runbooks/team-budget.md"
    )
    assert rule_result(repo, "baseline", "BSL020") == []


@pytest.mark.parametrize(
    ("golden_path", "answers"),
    [
        ("inference-service", {"name": "chat-llm"}),
        ("service", {"name": "orders", "tier": "critical", "canary": True}),
    ],
)
def test_the_golden_paths_promql_parses(
    tmp_path: Path, golden_path: str, answers: dict[str, Any]
) -> None:
    """Syntax only: their metrics come from the workloads themselves (vLLM, the app)."""
    generate(plan(load_catalog(), golden_path, data=answers), tmp_path, git=False)
    exprs = [str(rule["expr"]) for _, rule in rules_of(tmp_path)]
    for path in tmp_path.rglob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict) and doc.get("kind") == "AnalysisTemplate":
                for metric in doc["spec"]["metrics"]:
                    query = metric["provider"]["prometheus"]["query"]
                    # Argo Rollouts substitutes {{args.<name>}} before querying.
                    exprs.append(re.sub(r"\{\{\s*args\.[\w-]+\s*\}\}", "x", query))
    assert exprs
    for expr in exprs:
        assert metric_names(expr), expr
