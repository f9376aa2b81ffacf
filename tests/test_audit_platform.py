"""`audit --platform BASELINE_REPO`: the platform contract of `validate --platform`, per repo of
the fleet, in every report format and through `audit merge` of shards."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from scaffolder.catalog import load_catalog
from scaffolder.generate import generate, plan
from tests.helpers import build_file_tree, run_cli

# A platform that provides a namespace and nothing else a service needs.
PLATFORM = {
    "platform/namespaces.yaml": """\
        apiVersion: v1
        kind: Namespace
        metadata:
          name: checkout
        """
}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two service repos: ``checkout`` needs what the platform lacks; ``static`` applies no
    Kubernetes objects, so it needs nothing of the platform."""
    root = tmp_path_factory.mktemp("platform-fleet")
    data = {"name": "checkout", "secret_keys": ["DATABASE_URL"]}
    generate(
        plan(load_catalog(), "service", version="1.1.0", data=data),
        root / "fleet/checkout",
        git=False,
    )
    static = root / "fleet/static"
    shutil.copytree(root / "fleet/checkout", static)
    shutil.rmtree(static / "deploy")
    return build_file_tree(root / "baseline", PLATFORM), root / "fleet"


def audit(capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path], *args: str | Path):  # type: ignore[no-untyped-def]
    platform, repos = fleet
    return run_cli(capsys, "audit", repos, "--platform", platform, "-j", "1", *args)


def test_json_and_text(capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path]) -> None:
    r = audit(capsys, fleet, "--format", "json")
    assert r.code == 2
    doc = json.loads(r.out)
    assert doc["summary"]["contract"] == {"checked": 2, "unmet": 1}
    by_name = {Path(e["path"]).name: e for e in doc["repos"]}
    assert by_name["static"]["contract"] == []
    unmet = by_name["checkout"]["contract"]
    checks = {f["check"] for f in unmet}
    assert "contract/gateway" in checks and all(c.startswith("contract/") for c in checks)
    assert all(f["file"] and f["message"] for f in unmet)

    r = audit(capsys, fleet)
    assert r.code == 2
    assert "platform contract" in r.out and "1 of 2 unmet" in r.out
    assert f"platform contract {fleet[1] / 'checkout'}: {len(unmet)} unmet needs" in r.out
    assert "1 of 2 checked against the platform lack something it must provide" in r.out
    # A fail level chooses which rules count; an unmet platform need always fails.
    checkout: list[str | Path] = [fleet[1] / "checkout", "--fail-level", "gold", "-o", "json"]
    assert run_cli(capsys, "audit", *checkout).code == 0
    assert run_cli(capsys, "audit", *checkout, "--platform", fleet[0]).code == 2


def test_every_format(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path], tmp_path: Path
) -> None:
    unmet = len(json.loads(audit(capsys, fleet, "--format", "json").out)["repos"][0]["contract"])

    sarif = json.loads(audit(capsys, fleet, "--format", "sarif").out)["runs"][0]
    results = [r for r in sarif["results"] if r["ruleId"].startswith("contract/")]
    assert len(results) == unmet and {r["level"] for r in results} == {"error"}
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
        "checkout/"
    )
    rules = {d["id"] for d in sarif["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in results} <= rules

    suites = ET.fromstring(audit(capsys, fleet, "--format", "junit").out)
    cases = {
        Path(s.get("name", "")).name: s.find("testcase[@classname='contract']") for s in suites
    }
    assert cases["static"] is not None and cases["static"].find("failure") is None
    failure = cases["checkout"].find("failure") if cases["checkout"] is not None else None
    assert failure is not None and failure.get("message") == f"{unmet} unmet needs"

    markdown = audit(capsys, fleet, "--format", "markdown").out
    assert "**Platform contract: unmet needs**" in markdown
    assert "The platform provides everything this repo needs. ✅" in markdown

    quality = json.loads(audit(capsys, fleet, "--format", "codequality").out)
    assert len([i for i in quality if i["check_name"].startswith("contract/")]) == unmet

    html = tmp_path / "audit.html"
    assert audit(capsys, fleet, "--html", html).code == 2
    page = html.read_text()
    assert "<th>platform contract</th>" in page and f"{unmet} unmet needs" in page
    assert "what the platform must provide" in page


def test_shards_merge_into_the_single_run(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path], tmp_path: Path
) -> None:
    single = audit(capsys, fleet, "--format", "json")
    files = []
    for k in (1, 2):
        shard = audit(capsys, fleet, "--format", "json", "--shard", f"{k}/2")
        files.append(tmp_path / f"shard-{k}.json")
        files[-1].write_text(shard.out)
    merged = run_cli(capsys, "audit", "merge", *files, "--format", "json")
    assert merged.code == single.code == 2
    assert merged.out == single.out
    text = run_cli(capsys, "audit", "merge", *files)
    assert "1 of 2 unmet" in text.out


def test_a_platform_that_is_not_a_folder_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path], tmp_path: Path
) -> None:
    r = run_cli(capsys, "audit", fleet[1], "--platform", tmp_path / "missing")
    assert r.code == 1 and r.err.startswith("error:") and "--platform" in r.err
