"""Standards: each built-in service rule fails on the mistake it names, levels, exemptions,
organisation rule packs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from scaffolder.catalog import load_catalog
from scaffolder.generate import generate, plan
from scaffolder.standards import run_standards
from scaffolder.standards.model import Level
from tests.helpers import build_file_tree, run_cli

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def service_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("svc") / "payments"
    the_plan = plan(load_catalog(), "service", version="1.0.0", data={"name": "payments"})
    generate(the_plan, dest, git=False)
    return dest


@pytest.fixture
def repo(service_repo: Path, tmp_path: Path) -> Path:
    import shutil

    copy = tmp_path / "payments"
    shutil.copytree(service_repo, copy)
    return copy


def failed(repo: Path) -> dict[str, list[str]]:
    report = run_standards(repo, "service", today=TODAY)
    return {r.rule.id: [v.message for v in r.violations] for r in report.results if not r.passed}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_generated_service_reaches_gold(service_repo: Path) -> None:
    report = run_standards(service_repo, "service", today=TODAY)
    assert report.level == Level.GOLD, failed(service_repo)


@pytest.mark.parametrize(
    ("rule", "change"),
    [
        ("SVC001", ("deploy/base/deployment.yaml", "limits:", "limitz:")),
        ("SVC002", ("deploy/base/deployment.yaml", "readinessProbe:", "readinesProbe:")),
        (
            "SVC003",
            (
                "deploy/base/deployment.yaml",
                "allowPrivilegeEscalation: false",
                "allowPrivilegeEscalation: true",
            ),
        ),
        ("SVC008", ("deploy/base/kustomization.yaml", 'newTag: "0.1.0"', 'newTag: "latest"')),
        ("SVC014", ("Dockerfile", "USER 10001:10001", "USER root")),
    ],
)
def test_each_rule_catches_its_mistake(repo: Path, rule: str, change: tuple[str, str, str]) -> None:
    edit(repo / change[0], change[1], change[2])
    assert rule in failed(repo)


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        ("SVC004", "deploy/base/poddisruptionbudget.yaml"),
        ("SVC005", "deploy/base/horizontalpodautoscaler.yaml"),
        ("SVC006", "deploy/base/networkpolicy.yaml"),
        ("SVC010", "CODEOWNERS"),
        ("SVC011", "catalog-info.yaml"),
        ("SVC012", ".github/workflows/ci.yml"),
        ("SVC013", "docs/runbook.md"),
        ("SVC015", "docs/rollback.md"),
    ],
)
def test_missing_pieces_fail_their_rule(repo: Path, rule: str, path: str) -> None:
    (repo / path).unlink()
    assert rule in failed(repo)


def test_secret_with_data_and_missing_labels(repo: Path) -> None:
    (repo / "deploy/base/secret.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  pw: hunter2\n"
    )
    edit(repo / "deploy/base/kustomization.yaml", "cost-center:", "costcenter:")
    result = failed(repo)
    assert "SVC009" in result
    assert any("no cost-center label" in m for m in result["SVC007"])


def test_levels_stack(repo: Path) -> None:
    (repo / "docs/runbook.md").unlink()  # gold
    assert run_standards(repo, "service", today=TODAY).level == Level.SILVER
    (repo / ".github/workflows/ci.yml").unlink()  # silver
    assert run_standards(repo, "service", today=TODAY).level == Level.BRONZE
    (repo / "CODEOWNERS").unlink()  # bronze
    assert run_standards(repo, "service", today=TODAY).level is None


def test_exemptions_suppress_until_they_expire(repo: Path) -> None:
    (repo / "deploy/base/horizontalpodautoscaler.yaml").unlink()
    build_file_tree(
        repo,
        {
            ".scaffolder/exemptions.yml": """\
        exemptions:
          - rule: SVC005
            reason: scaled by its queue, not by CPU
            expires: 2027-01-31
        """
        },
    )
    report = run_standards(repo, "service", today=TODAY)
    hpa = next(r for r in report.results if r.rule.id == "SVC005")
    assert hpa.passed and hpa.suppressed[0][1] == "scaled by its queue, not by CPU"
    assert report.level == Level.GOLD
    later = run_standards(repo, "service", today=dt.date(2027, 2, 1))
    assert not next(r for r in later.results if r.rule.id == "SVC005").passed
    assert "expired on 2027-01-31" in later.exemption_problems[0].message
    assert later.level is None


def test_malformed_exemption_is_a_failure(repo: Path) -> None:
    build_file_tree(repo, {".scaffolder/exemptions.yml": "exemptions:\n  - rule: SVC005\n"})
    report = run_standards(repo, "service", today=TODAY)
    assert "needs rule, reason and expires" in report.exemption_problems[0].message


def test_organisation_rule_pack(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = build_file_tree(
        tmp_path / "org",
        {
            "rules/acme.yml": """\
        rules:
          - id: ACME001
            title: A security policy is published
            level: silver
            rationale: Reporters need to know where to send vulnerabilities.
            fix: Add SECURITY.md.
            require_file: [SECURITY.md, .github/SECURITY.md]
          - id: ACME002
            title: Deployments name a priority class
            level: gold
            rationale: Preemption order is a platform decision.
            fix: Set spec.template.spec.priorityClassName.
            manifest_field: {kinds: [Deployment], field: spec.template.spec.priorityClassName}
        """,
            "templates/.keep": "",
        },
    )
    report = run_standards(repo, "service", catalog_roots=[catalog], today=TODAY)
    ids = {r.rule.id: r for r in report.results}
    assert not ids["ACME001"].passed and not ids["ACME002"].passed
    assert report.level == Level.BRONZE
    (repo / "SECURITY.md").write_text("mail security@example.com\n")
    assert run_standards(repo, "service", catalog_roots=[catalog], today=TODAY).level == (
        Level.SILVER
    )


def test_diff_fail_level(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    (repo / "docs/runbook.md").unlink()  # a gold rule fails, and the file is deleted (drift)
    args = ["diff", repo, "--against", "1.0.0"]
    assert run_cli(capsys, *args).code == 2
    assert run_cli(capsys, *args, "--fail-level", "silver").code == 0
    assert run_cli(capsys, *args, "--fail-level", "gold").code == 2
    r = run_cli(capsys, *args, "--format", "json")
    data = json.loads(r.out)["repos"][0]
    assert data["level"] == "silver"
    assert {r["id"] for r in data["rules"] if not r["passed"]} == {"SVC013"}
