"""The month-to-date rules of cluster-baseline 1.2.0 evaluated by Prometheus' own rule engine
(`promtool test rules`, Debian package `prometheus`): a constant spend is charged to the minute,
the forecast extrapolates it over the month, and the total restarts at the 1st 00:00 UTC.

promtool's clock starts at 1970-01-01 00:00 UTC, so the month boundary is 744 hours of
one-minute evaluations away (about five minutes): that case is marked slow (`-m slow`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffolder.catalog import load_catalog
from scaffolder.generate import generate, plan
from tests.e2e.test_baselines import MATRIX

# Skipped on a workstation without promtool; never in CI, where .ci/run installs it.
pytestmark = pytest.mark.skipif(
    shutil.which("promtool") is None and not os.environ.get("CI"),
    reason="needs promtool, Prometheus' rule test tool (apt-get install prometheus)",
)

TEAM = '{team="a",cost_center="cc"}'


@pytest.fixture(scope="module")
def month_rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated showback.month group, as a plain Prometheus rule file."""
    repo = tmp_path_factory.mktemp("baseline") / "repo"
    data = {"cluster_name": "prod-eu", **MATRIX["argo-all-on"]}
    generate(plan(load_catalog(), "cluster-baseline", data=data), repo, git=False)
    rule = yaml.safe_load((repo / "platform/configs/cost/cost-rules.yaml").read_text())
    groups = [g for g in rule["spec"]["groups"] if g["name"] == "showback.month"]
    path = repo.parent / "month-rules.yaml"
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False, width=1000))
    return path


def promtool(rules: Path, minutes: int, expected: dict[tuple[str, str], float]) -> None:
    """Run promtool on a team spending 10 an hour (6 CPU + 4 GPU) and holding 2 GPUs."""
    test: dict[str, Any] = {
        "rule_files": [rules.name],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {
                        "series": f'team:opencost_cost_hourly:sum{TEAM[:-1]},resource="{r}"}}',
                        "values": f"{v}+0x{minutes}",
                    }
                    for r, v in (("cpu", 6), ("gpu", 4))
                ]
                + [
                    {
                        "series": f"team:opencost_gpu_allocation:sum{TEAM}",
                        "values": f"2+0x{minutes}",
                    }
                ],
                "promql_expr_test": [
                    {
                        # promtool compares exactly: round away the floating-point sums.
                        "expr": f"round({series}, 0.001)",
                        "eval_time": at,
                        "exp_samples": [{"labels": TEAM, "value": value}],
                    }
                    for (series, at), value in expected.items()
                ],
            }
        ],
    }
    path = rules.parent / f"test-{minutes}.yaml"
    path.write_text(yaml.safe_dump(test, sort_keys=False, width=1000))
    assert shutil.which("promtool"), "promtool is missing: apt-get install prometheus"
    run = subprocess.run(
        ["promtool", "test", "rules", path.name],
        cwd=rules.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_spend_is_charged_to_the_minute_and_forecast_over_the_month(month_rules: Path) -> None:
    promtool(
        month_rules,
        700,
        {
            # Ten hours at 10 an hour, from 1970-01-01 00:00 UTC.
            ("team:opencost_cost:month_to_date", "10h"): 100,
            ("team:opencost_gpu_hours:month_to_date", "10h"): 20,
            # 100 in 10 hours of a 744-hour January.
            ("team:opencost_cost:month_forecast", "10h"): 7440,
            ("team:opencost_gpu_hours:month_forecast", "10h"): 1488,
            ("team:opencost_cost:month_to_date", "11h30m"): 115,
        },
    )


@pytest.mark.slow
def test_the_month_restarts_on_the_first_at_midnight_utc(month_rules: Path) -> None:
    promtool(
        month_rules,
        44_760,
        {
            # The last minute of January carries the month; February starts from nothing.
            ("team:opencost_cost:month_to_date", "743h59m"): 7439.833,
            ("team:opencost_cost:month_to_date", "745h"): 10,
            ("team:opencost_gpu_hours:month_to_date", "745h"): 2,
        },
    )
