"""Immutable-field changes where they bite: an upgrade that changes a selector merges cleanly
and validates, then the API server refuses it. ``upgrade`` reports it, ``validate --since``
catches it in a pull request."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import APP_YAML_1, Run, build_demo_catalog, build_file_tree, generate, run_cli

DEPLOYMENT = APP_YAML_1  # selector app: {{ name }}, replicas 2
# 1.1.0 adds a selector label (the classic immutable change) and bumps replicas (a mutable one).
DEPLOYMENT_1_1 = (
    DEPLOYMENT.replace(
        "      app: {{ name }}\n  template", "      app: {{ name }}\n      tier: web\n  template"
    )
    .replace(
        "        app: {{ name }}\n    spec", "        app: {{ name }}\n        tier: web\n    spec"
    )
    .replace("replicas: 2", "replicas: 3")
)
OVERLAY = (
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../../base]\n"
)
KUSTOMIZE = {
    "template/deploy/base/kustomization.yaml": "resources: [deployment.yaml]\n",
    "template/deploy/overlays/dev/kustomization.yaml": OVERLAY,
    "template/deploy/overlays/prod/kustomization.yaml": OVERLAY,
}


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = build_demo_catalog(tmp_path / "catalog", ("1.0.0", "1.1.0"))
    gp = root / "templates/demo"
    build_file_tree(
        gp / "1.0.0", {**KUSTOMIZE, "template/deploy/base/deployment.yaml.jinja": DEPLOYMENT}
    )
    build_file_tree(
        gp / "1.1.0", {**KUSTOMIZE, "template/deploy/base/deployment.yaml.jinja": DEPLOYMENT_1_1}
    )
    return root


def upgrade(capsys: pytest.CaptureFixture[str], repo: Path, catalog: Path, *args: str) -> Run:
    return run_cli(capsys, "upgrade", repo, "--catalog", catalog, "--to", "1.1.0", *args)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def test_upgrade_reports_a_changed_selector_per_environment(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    r = upgrade(capsys, repo, catalog, "--dry-run", "-o", "json")
    assert r.code == 0, r.err
    found = json.loads(r.out)["immutable"]
    assert [(f["file"], f["object"], f["field"]) for f in found] == [
        ("deploy/base/deployment.yaml", "Deployment/pay (dev)", "spec.selector"),
        ("deploy/base/deployment.yaml", "Deployment/pay (prod)", "spec.selector"),
    ], "only the selector: replicas may change"
    assert '"tier": "web"' in found[0]["message"]
    assert (
        "Force=true,Replace=true" in found[0]["message"]
        and "--cascade=orphan" in found[0]["message"]
    )

    r = upgrade(capsys, repo, catalog, "--commit")
    assert r.code == 0, "the upgrade itself is right: not a failure unless asked"
    assert "2 immutable-field changes the API server will refuse" in r.out
    assert "Deployment/pay (prod): spec.selector: field is immutable" in r.out
    assert "upgraded to demo 1.1.0" in r.out
    assert "tier: web" in (repo / "deploy/base/deployment.yaml").read_text()


def test_fail_on_immutable_exits_2_after_writing_the_upgrade(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    head = git(repo, "rev-parse", "HEAD")
    r = upgrade(
        capsys,
        repo,
        catalog,
        "--commit",
        "--fail-on-immutable",
    )
    assert r.code == 2
    assert git(repo, "rev-parse", "HEAD") != head, "the upgrade is committed all the same"
    # Nothing immutable changes from 1.1.0 to itself: a rerun is current and exits 0.
    r = upgrade(capsys, repo, catalog, "--fail-on-immutable")
    assert r.code == 0 and "already at demo 1.1.0" in r.out


def test_a_mutable_change_is_not_reported(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    gp = catalog / "templates/demo/1.1.0"
    build_file_tree(
        gp,
        {
            "template/deploy/base/deployment.yaml.jinja": DEPLOYMENT.replace(
                "replicas: 2", "replicas: 5"
            )
        },
    )
    repo = generate(tmp_path, catalog)
    r = upgrade(
        capsys,
        repo,
        catalog,
        "--dry-run",
        "-o",
        "json",
        "--fail-on-immutable",
    )
    assert r.code == 0 and json.loads(r.out)["immutable"] == []


def test_fleet_report_lists_immutable_changes(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    listing = tmp_path / "fleet.txt"
    listing.write_text(f"{repo}\n")
    args = (
        "upgrade",
        "--fleet",
        listing,
        "--catalog",
        catalog,
        "--to",
        "1.1.0",
        "--branch",
        "gp/{version}",
    )
    r = run_cli(capsys, *args, "-o", "markdown", "--fail-on-immutable")
    assert r.code == 2, r.out + r.err
    cell = "2 immutable-field changes: Deployment/pay (dev) spec.selector, Deployment/pay (prod)"
    assert f"⚠️ {cell} spec.selector" in r.out


def test_validate_since_a_git_ref(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    assert upgrade(capsys, repo, catalog, "--commit").code == 0
    r = run_cli(capsys, "validate", repo, "--since", "HEAD~1", "-o", "json")
    immutable = [f for f in json.loads(r.out)["findings"] if f["check"] == "immutable"]
    assert r.code == 2 and [f["object"] for f in immutable] == [
        "Deployment/pay (dev)",
        "Deployment/pay (prod)",
    ]
    assert {f["severity"] for f in immutable} == {"error"}
    r = run_cli(capsys, "validate", repo, "--since", "HEAD", "-o", "json")
    assert not [f for f in json.loads(r.out)["findings"] if f["check"] == "immutable"]
    # A working-tree edit counts: put the old selector back, drop the new label from the pods.
    path = repo / "deploy/base/deployment.yaml"
    path.write_text(path.read_text().replace("      tier: web\n", "", 1))
    r = run_cli(capsys, "validate", repo, "--since", "HEAD~1", "-o", "json")
    assert not [f for f in json.loads(r.out)["findings"] if f["check"] == "immutable"]


def test_validate_since_in_a_folder_of_a_bigger_repo(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    mono = tmp_path / "mono"
    repo = generate(mono, catalog)
    subprocess.run(["rm", "-rf", str(repo / ".git")], check=True)
    git(mono, "init", "--quiet")
    git(mono, "add", "--all")
    git(mono, "commit", "--quiet", "-m", "one")
    path = repo / "deploy/base/deployment.yaml"
    path.write_text(path.read_text().replace("app: pay\n", "app: pay-v2\n"))
    r = run_cli(capsys, "validate", repo, "--since", "HEAD", "-o", "json")
    immutable = [f for f in json.loads(r.out)["findings"] if f["check"] == "immutable"]
    assert len(immutable) == 2 and '"app": "pay-v2"' in immutable[0]["message"]
    # A folder that did not exist at the ref: everything in it is new, nothing is an update.
    git(mono, "mv", "pay", "pay2")
    r = run_cli(capsys, "validate", mono / "pay2", "--since", "HEAD", "-o", "json")
    assert not [f for f in json.loads(r.out)["findings"] if f["check"] == "immutable"]


def test_validate_since_needs_a_ref_that_exists(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    r = run_cli(capsys, "validate", repo, "--since", "no-such-branch")
    assert r.code == 1 and r.err.startswith(
        "error: --since no-such-branch: no such branch, tag or commit"
    )
    assert "Traceback" not in r.err
    plain = tmp_path / "plain"
    plain.mkdir()
    r = run_cli(capsys, "validate", plain, "--since", "main")
    assert r.code == 1 and "is not in a git repository" in r.err


def test_continue_after_conflicts_checks_what_was_resolved(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    path = repo / "deploy/base/deployment.yaml"
    local = path.read_text().replace("      app: pay\n", "      app: pay\n      tier: api\n", 1)
    path.write_text(local)
    git(repo, "commit", "--quiet", "-am", "our own tier label")
    r = upgrade(
        capsys,
        repo,
        catalog,
    )
    assert r.code == 3, r.out
    assert "immutable fields not checked: files have conflicts" in r.out
    # Resolved in favour of the template's label: the selector changes from ours.
    path.write_text(local.replace("tier: api", "tier: web"))
    r = run_cli(capsys, "upgrade", repo, "--continue", "--fail-on-immutable")
    assert r.code == 2, r.out + r.err
    assert '"tier": "api"' in r.out and '"tier": "web"' in r.out
    assert "upgraded to demo 1.1.0" in r.out
