"""The CI and Kubernetes definitions docs/guides/fleet.md ships are valid for their engines."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import jsonschema
import pytest
import yaml
from packaging.version import Version

from scaffolder import yamlio
from scaffolder.validate import kube_schemas
from scaffolder.validate.runner import _Loader
from scaffolder.validate.workflows import workflow_errors
from tests.helpers import REPO_ROOT

GUIDE = REPO_ROOT / "docs/guides/fleet.md"
EXAMPLE = re.compile(r"<!-- example: (\S+) -->\n```yaml\n(.*?)```", re.S)


def examples() -> dict[str, str]:
    return dict(EXAMPLE.findall(GUIDE.read_text(encoding="utf-8")))


def _vendored(name: str) -> jsonschema.Draft7Validator:
    path = resources.files("check_jsonschema") / f"builtin_schemas/vendor/{name}"
    return jsonschema.Draft7Validator(json.loads(path.read_text(encoding="utf-8")))


def _messages(errors: Any) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def test_the_guide_holds_every_example() -> None:
    assert set(examples()) == {"github-workflow", "gitlab-job", "github-matrix", "kubernetes-jobs"}


@pytest.mark.parametrize("name", ["github-workflow", "github-matrix"])
def test_github_workflows_match_the_workflow_schema(name: str) -> None:
    # YAML 1.2 booleans, as GitHub reads `on:` (the loader `scaffolder validate` uses).
    doc = yaml.load(examples()[name], Loader=_Loader)
    assert _messages(workflow_errors(doc)) == []
    # A schema-valid step can still misspell a command: check what the steps run.
    runs = "\n".join(step.get("run", "") for job in doc["jobs"].values() for step in job["steps"])
    assert "scaffolder-golden-paths==" in runs


def test_gitlab_job_matches_the_gitlab_ci_schema() -> None:
    doc = yamlio.load(examples()["gitlab-job"])
    assert _messages(_vendored("gitlab-ci.json").iter_errors(doc)) == []
    assert doc["golden-path"]["artifacts"]["reports"]["codequality"] == (
        "gl-code-quality-report.json"
    )


def test_kubernetes_jobs_validate_strictly() -> None:
    docs = list(yamlio.load_all(examples()["kubernetes-jobs"]))
    assert [d["kind"] for d in docs] == ["PersistentVolumeClaim", "Job", "Job"]
    for doc in docs:
        assert _messages(kube_schemas.errors(doc, "1.35.0")) == [], doc["metadata"]["name"]
    indexed = docs[1]["spec"]
    assert indexed["completionMode"] == "Indexed"
    assert indexed["completions"] == indexed["parallelism"] == 4


def test_examples_pin_a_released_scaffolder() -> None:
    pins = set(re.findall(r"scaffolder-golden-paths==([\w.]+)", GUIDE.read_text()))
    assert pins and all(Version(p) for p in pins) and len(pins) == 1
