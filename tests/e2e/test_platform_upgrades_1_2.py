"""End to end: cluster baselines made with 1.1.0 upgrade to 1.2.0 (issue 17's platform
components) with `scaffolder upgrade`: new answers take their defaults (or --data where 1.2.0
asks something new), the upgraded repo is exactly what 1.2.0 renders from its recorded
answers, and it validates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scaffolder.validate.runner import validate_repo
from tests.e2e.test_baselines import AWS, CALICO, CILIUM, ONPREM
from tests.e2e.test_platform_upgrades import files, made, recorded
from tests.helpers import run_cli

pytestmark = pytest.mark.e2e

ADDRESSES = ONPREM["load_balancer_addresses"]
ONPREM_1_1 = {k: v for k, v in ONPREM.items() if k != "load_balancer_addresses"}


@pytest.mark.parametrize(
    ("answers", "data", "added", "present"),
    [
        (
            {"gitops_engine": "argocd", **CILIUM, **AWS},
            [],
            {
                "external_dns": True,
                "external_dns_policy": "upsert-only",
                "image_verification": "off",
            },
            ["platform/releases/external-dns/values.yaml", "platform/base/networkpolicies.yaml"],
        ),
        (
            {
                "gitops_engine": "flux",
                **CALICO,
                **ONPREM_1_1,
                "pod_cidr": "10.42.0.0/16",
                "environments": ["prod"],
            },
            # 1.2.0 asks on-prem clusters for their LoadBalancer addresses.
            ["--data", f"load_balancer_addresses={ADDRESSES}"],
            {"load_balancer": "metallb", "load_balancer_addresses": ADDRESSES},
            [
                "platform/releases/metallb/values.yaml",
                "platform/configs/load-balancer/metallb.yaml",
            ],
        ),
    ],
)
def test_baseline_upgrades_to_1_2_0(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    answers: dict[str, Any],
    data: list[str],
    added: dict[str, Any],
    present: list[str],
) -> None:
    repo = made(tmp_path, "cluster-baseline", "1.1.0", {"cluster_name": "prod-eu", **answers})
    assert not (repo / "platform/base/networkpolicies.yaml").exists()
    r = run_cli(capsys, "upgrade", repo, "--to", "1.2.0", "--commit", *data)
    assert r.code == 0, r.err
    record = recorded(repo)
    assert record["_commit"] == "1.2.0"
    assert {k: record[k] for k in added} == added
    for path in present:
        assert (repo / path).is_file(), path
    fresh = made(
        tmp_path / "fresh",
        "cluster-baseline",
        "1.2.0",
        {k: v for k, v in record.items() if not k.startswith("_")},
    )
    assert files(fresh) == files(repo)
    report = validate_repo(repo)
    assert report.ok, [f"{f.location()}: {f.message}" for f in report.errors]


def test_onprem_upgrade_without_addresses_says_what_to_answer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = {"cluster_name": "prod-eu", **CALICO, **ONPREM_1_1, "environments": ["prod"]}
    repo = made(tmp_path, "cluster-baseline", "1.1.0", answers)
    r = run_cli(capsys, "upgrade", repo, "--to", "1.2.0", "--commit")
    assert r.code == 1
    assert "load_balancer_addresses" in r.err
    assert recorded(repo)["_commit"] == "1.1.0"
