"""The golden-path job each golden path ships (question golden_path_ci), valid for its engine."""

from __future__ import annotations

import json
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from scaffolder import __version__, yamlio
from scaffolder.catalog import load_catalog
from scaffolder.generate import plan
from scaffolder.validate.runner import _Loader
from scaffolder.validate.workflows import workflow_errors
from tests.helpers import build_demo_catalog, generate
from tests.remotes import git

SAMPLES = {
    ("service", "2.1.0"): {"name": "payments", "tier": "standard"},
    ("inference-service", "1.1.0"): {"name": "chat"},
    ("training-job", "1.1.0"): {"name": "train"},
    ("cluster-baseline", "1.1.0"): {
        "cluster_name": "prod-eu",
        "cni": "calico",
        "provider": "gcp",
        "external_secrets_provider": "gcp-secret-manager",
        "external_secrets_auth": "workload-identity",
        "gcp_project": "acme-platform",
    },
}
GITHUB = ".github/workflows/golden-path.yml"
GITLAB = ".gitlab/ci/golden-path.yml"
GITLAB_TOP = ".gitlab-ci.yml"


def _render(golden_path: str, version: str, engine: str) -> dict[str, str]:
    data = {**SAMPLES[(golden_path, version)], "golden_path_ci": engine}
    tree = plan(load_catalog(), golden_path, version=version, data=data).render().contents()
    return {p: tree[p].decode() for p in (GITHUB, GITLAB, GITLAB_TOP) if p in tree}


def _gitlab_schema() -> jsonschema.Draft7Validator:
    path = resources.files("check_jsonschema") / "builtin_schemas/vendor/gitlab-ci.json"
    return jsonschema.Draft7Validator(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize(("golden_path", "version"), sorted(SAMPLES))
def test_github_actions_by_default(golden_path: str, version: str) -> None:
    files = _render(golden_path, version, "github")
    assert set(files) == {GITHUB}
    doc = yaml.load(files[GITHUB], Loader=_Loader)
    assert [e.message for e in workflow_errors(doc)] == []
    assert set(doc["on"]) == {"schedule", "workflow_dispatch"}
    runs = "\n".join(s.get("run", "") for s in doc["jobs"]["golden-path"]["steps"])
    # The job installs the scaffolder release that ships this golden-path version.
    assert f'pip install "scaffolder-golden-paths=={__version__}"' in runs
    assert 'scaffolder diff --format sarif > "$RUNNER_TEMP/golden-path.sarif"' in runs
    assert "--branch 'golden-path/{golden_path}-{version}'" in runs
    assert "--push --open-pr github" in runs
    uses = [s.get("uses", "") for s in doc["jobs"]["golden-path"]["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert f'golden path "{golden_path}" {version}' in files[GITHUB]
    tenants = "--answers-file" in runs
    assert tenants == (golden_path == "cluster-baseline")  # a baseline's tenants too


@pytest.mark.parametrize(("golden_path", "version"), sorted(SAMPLES))
def test_gitlab_ci_when_chosen(golden_path: str, version: str) -> None:
    files = _render(golden_path, version, "gitlab")
    assert set(files) == {GITLAB, GITLAB_TOP}
    for path in (GITLAB, GITLAB_TOP):
        assert [e.message for e in _gitlab_schema().iter_errors(yamlio.load(files[path]))] == []
    job = yamlio.load(files[GITLAB])["golden-path"]
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    script = "\n".join([*job["before_script"], *job["script"]])
    assert f"scaffolder-golden-paths=={__version__}" in script
    assert "scaffolder diff --format codequality" in script and "--open-pr gitlab" in script
    assert yamlio.load(files[GITLAB_TOP])["include"] == [{"local": GITLAB}]


@pytest.mark.parametrize(("golden_path", "version"), sorted(SAMPLES))
def test_none_ships_no_job(golden_path: str, version: str) -> None:
    assert _render(golden_path, version, "none") == {}


def test_released_versions_are_untouched() -> None:
    catalog = load_catalog()
    for golden_path, version in (("service", "2.0.0"), ("training-job", "1.0.0")):
        root = catalog.get(golden_path).version(version).root
        assert not (root / "golden-path-ci.yml").exists()
        assert "golden_path_ci" not in (root / "copier.yml").read_text()


def test_the_github_job_runs_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forge: Path
) -> None:
    """The workflow's own `run` steps, in order, in a repo with a remote and a newer version
    out: the drift report is written, the branch pushed and one pull request opened."""
    shipped = load_catalog().get("service").version("2.1.0").root
    job = next((shipped / "template/.github/workflows").glob("*golden-path.yml*.jinja"))
    catalog = build_demo_catalog(tmp_path / "catalog", versions=("1.0.0", "1.1.0"))
    for version in ("1.0.0", "1.1.0"):
        root = catalog / "templates/demo" / version
        shutil.copy(shipped / "golden-path-ci.yml", root)
        with (root / "copier.yml").open("a") as f:
            f.write("---\n!include golden-path-ci.yml\n")
        shutil.copy(job, root / "template/.github/workflows" / job.name)
    repo = generate(tmp_path, catalog, "pay", "1.0.0")
    git(tmp_path, "init", "-q", "--bare", "pay.git")
    git(repo, "remote", "add", "origin", str(tmp_path / "pay.git"))
    git(repo, "push", "-q", "origin", "main")
    workflow = yaml.load((repo / GITHUB).read_text(), Loader=_Loader)
    steps = [s for s in workflow["jobs"]["golden-path"]["steps"] if "run" in s]
    assert "pip install" in steps[0]["run"]  # the venv stands in for the install
    (tmp_path / "runner").mkdir()
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path / "runner"))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.setenv("SCAFFOLDER_CATALOG", str(catalog))
    for step in steps[1:]:
        result = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=repo,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, (step["name"], result.stderr)
    assert json.loads((tmp_path / "runner/golden-path.sarif").read_text())["version"] == "2.1.0"
    assert "| `pay` | opened | 1.0.0 | 1.1.0 |" in (tmp_path / "summary.md").read_text()
    assert git(tmp_path / "pay.git", "branch", "--list", "golden-path/demo-1.1.0")
    (request,) = json.loads(forge.read_text())["requests"]
    assert request["head"] == "golden-path/demo-1.1.0" and request["labels"] == ["golden-path"]
