"""Per-team alert routing of cluster-baseline and tenant 1.2.0 (issue 20): each team's budget and
reaper alerts reach its own Slack channel, e-mail address or PagerDuty service through an
AlertmanagerConfig in its namespace, with the webhook or routing key read from its secret
store, and the baseline's Alertmanager selects those configs only from tenant namespaces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffolder.catalog import load_catalog
from scaffolder.errors import ScaffolderError
from scaffolder.generate import generate, plan
from scaffolder.validate.runner import validate_repo
from tests.e2e.test_baselines import MATRIX
from tests.helpers import run_cli

TEAMS = [
    {
        "name": "ml-research",
        "cpu": "64",
        "memory": "256Gi",
        "gpu": 8,
        "budget": 25000,
        "alerts": {"receiver": "slack", "slack_channel": "#ml-alerts"},
    },
    {
        "name": "inference",
        "cpu": "32",
        "memory": "128Gi",
        "gpu": 4,
        "budget": 12000,
        "serving_gpus": 4,
        "alerts": {"receiver": "email", "email": "inference-oncall@example.com"},
    },
]


def baseline(dest: Path, case: str = "argo-all-on", **answers: Any) -> Path:
    data = {"cluster_name": "prod-eu", **MATRIX[case], **answers}
    generate(plan(load_catalog(), "cluster-baseline", data=data), dest)
    return dest


def documents(path: Path) -> dict[str, dict[str, Any]]:
    return {d["kind"]: d for d in yaml.safe_load_all(path.read_text()) if d}


def test_each_team_routes_its_own_alerts(tmp_path: Path) -> None:
    repo = baseline(tmp_path / "b", teams=TEAMS, alert_smtp_smarthost="smtp.example.com:587")
    slack = documents(repo / "tenants/ml-research/alerting.yaml")
    remote = slack["ExternalSecret"]["spec"]["data"][0]["remoteRef"]
    assert remote == {"key": "ml-research/alerting", "property": "slack_api_url"}
    assert slack["ExternalSecret"]["spec"]["secretStoreRef"]["name"] == "ml-research-secrets"
    config = slack["AlertmanagerConfig"]
    assert config["metadata"]["namespace"] == "ml-research"
    (receiver,) = config["spec"]["receivers"]
    assert receiver["slackConfigs"][0]["channel"] == "#ml-alerts"
    assert receiver["slackConfigs"][0]["apiURL"] == {
        "name": "ml-research-alerting",
        "key": "slack_api_url",
    }
    mail = documents(repo / "tenants/inference/alerting.yaml")
    assert "ExternalSecret" not in mail  # nothing secret: the relay is the cluster's
    (receiver,) = mail["AlertmanagerConfig"]["spec"]["receivers"]
    assert receiver["emailConfigs"] == [
        {"to": "inference-oncall@example.com", "sendResolved": True}
    ]
    values = yaml.safe_load(
        (repo / "platform/releases/kube-prometheus-stack/values.yaml").read_text()
    )
    spec = values["alertmanager"]["alertmanagerSpec"]
    assert spec["alertmanagerConfigNamespaceSelector"] == {
        "matchLabels": {"scaffolder.dev/tenant": "true"}
    }
    assert spec["alertmanagerConfigMatcherStrategy"] == {"type": "OnNamespace"}
    assert values["alertmanager"]["config"]["global"]["smtp_smarthost"] == "smtp.example.com:587"
    # Every tenant namespace is selected, and every config carries the label the selector wants.
    for team in ("ml-research", "inference"):
        ns = yaml.safe_load((repo / f"tenants/{team}/namespace.yaml").read_text())
        assert ns["metadata"]["labels"]["scaffolder.dev/tenant"] == "true"
    # The operator routes a namespace's config only to alerts labelled with that namespace:
    # every team alert carries its own.
    for team in ("ml-research", "inference"):
        rule = yaml.safe_load((repo / f"tenants/{team}/budget-alerts.yaml").read_text())
        alerts = [r for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r]
        assert alerts and {a["labels"]["namespace"] for a in alerts} == {team}
        assert {a["labels"]["team"] for a in alerts} == {team}
    report = validate_repo(repo)
    assert report.ok, [f.message for f in report.errors]


def test_no_receiver_no_alerting_file(tmp_path: Path) -> None:
    repo = baseline(tmp_path / "b")
    assert not list(repo.glob("tenants/*/alerting.yaml"))


def test_email_needs_the_clusters_relay(tmp_path: Path) -> None:
    with pytest.raises(ScaffolderError, match="SMTP relay"):
        baseline(tmp_path / "b", teams=TEAMS)


def test_a_tenant_brings_its_pagerduty_service(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo = baseline(tmp_path / "b", "flux-calico-gcp-mig-mixed")
    data = ["team=search", "alert_receiver=pagerduty"]
    r = run_cli(capsys, "new", "tenant", repo, *[a for d in data for a in ("-d", d)])
    assert r.code == 0, r.err
    routed = documents(repo / "tenants/search/alerting.yaml")
    # GCP secret names have no '/': the key defaults to <team>-alerting there.
    assert routed["ExternalSecret"]["spec"]["data"][0]["remoteRef"] == {
        "key": "search-alerting",
        "property": "pagerduty_routing_key",
    }
    (receiver,) = routed["AlertmanagerConfig"]["spec"]["receivers"]
    assert receiver["pagerdutyConfigs"][0]["routingKey"] == {
        "name": "search-alerting",
        "key": "pagerduty_routing_key",
    }
    # E-mail needs the relay the baseline recorded (none here): refused, nothing written.
    r = run_cli(capsys, "new", "tenant", repo, "-d", "team=ads", "-d", "alert_receiver=email",
                "-d", "alert_email=ads@example.com")  # fmt: skip
    assert r.code == 1 and "alert_smtp_smarthost" in r.err
    assert not (repo / "tenants/ads").exists()
