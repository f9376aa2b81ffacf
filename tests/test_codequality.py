"""`--format codequality`: GitLab's Code Quality report of drift and failed rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import build_versioned_demo, generate, run_cli

SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def test_drift_and_rules_as_gitlab_code_quality(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    catalog = build_versioned_demo(tmp_path / "catalog")
    repo = generate(tmp_path, catalog, "pay", "1.0.0")
    (repo / "envs.txt").write_text("edited\n")  # modified: the template keeps envs.txt
    (repo / "docs/runbook.md").unlink()  # a failed gold rule
    args = ("diff", repo, "--catalog", catalog, "--against", "1.1.0", "--format", "codequality")
    r = run_cli(capsys, *args)
    assert r.code == 2
    issues = json.loads(r.out)
    by_check = {i["check_name"]: i for i in issues}
    for issue in issues:  # the fields GitLab requires, of the kinds it accepts
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in SEVERITIES and len(issue["fingerprint"]) == 32
        assert issue["location"]["lines"]["begin"] >= 1
        assert (repo / issue["location"]["path"]).is_file()
    assert by_check["drift/modified"]["location"]["path"] == "envs.txt"
    assert by_check["drift/modified"]["severity"] == "info"
    assert by_check["drift/outdated"]["severity"] == "minor"
    assert by_check["drift/added"]["location"]["path"] == ".copier-answers.yml"  # not there yet
    runbook = [i for i in issues if "runbook" in i["description"] and i["check_name"][0] != "d"]
    assert runbook and runbook[0]["severity"] == "info"  # a gold rule
    # Fingerprints are stable across runs: GitLab tells new findings from fixed ones by them.
    assert [i["fingerprint"] for i in json.loads(run_cli(capsys, *args).out)] == [
        i["fingerprint"] for i in issues
    ]
